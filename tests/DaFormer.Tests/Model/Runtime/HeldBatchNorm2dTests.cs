using DaFormer.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Runtime;

/// HeldBatchNorm2d replaces TorchSharp's BatchNorm2d in our networks: same keys, same numbers as
/// TorchSharp's module in training (batch statistics, running-statistics update, batch counter) and
/// in evaluation.
public class HeldBatchNorm2dTests
{
    [Fact]
    public void Matches_TorchSharps_BatchNorm2d_in_training_and_evaluation()
    {
        using var mine = new HeldBatchNorm2d(6);
        using var theirs = nn.BatchNorm2d(6);
        Assert.Equal(theirs.state_dict().Keys.Order(), mine.state_dict().Keys.Order());
        using (no_grad())
        {
            var g = new Generator(3);
            foreach (var m in new nn.Module[] { mine, theirs })
            {
                ((TorchSharp.Modules.BatchNorm)m).weight!.copy_(rand(6, generator: new Generator(5)));
                ((TorchSharp.Modules.BatchNorm)m).bias!.copy_(randn(6, generator: new Generator(6)));
            }
            for (var step = 0; step < 3; step++)
            {
                using var x = randn([4, 6, 5, 7], generator: g).mul(3).add(1);
                Assert.True(mine.forward(x).eq(theirs.forward(x)).all().item<bool>(), $"training output differs at step {step + 1}");
            }
            Assert.True(mine.running_mean!.eq(theirs.running_mean!).all().item<bool>());
            Assert.True(mine.running_var!.eq(theirs.running_var!).all().item<bool>());
            Assert.Equal(3L, mine.num_batches_tracked!.item<long>());
            Assert.Equal(theirs.num_batches_tracked!.item<long>(), mine.num_batches_tracked!.item<long>());
            Assert.False(mine.running_mean!.eq(zeros(6)).all().item<bool>());   // the statistics did move
            mine.eval();
            theirs.eval();
            using var y = randn([2, 6, 3, 3], generator: g);
            Assert.True(mine.forward(y).eq(theirs.forward(y)).all().item<bool>(), "evaluation output differs");
            Assert.Equal(3L, mine.num_batches_tracked!.item<long>());
        }
    }
}
