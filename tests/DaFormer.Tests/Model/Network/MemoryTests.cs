using System.Diagnostics;
using DaFormer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Network;

/// Training must not leak tensors: every per-step allocation lives in a dispose scope.
public class MemoryTests
{
    [Fact]
    public void Live_tensor_count_stays_flat_over_300_training_steps()
    {
        // One intra-op thread: on a busy 2-core machine OpenMP's spin-waiting makes tiny ops 5–60×
        // slower with 2 threads. The OpenMP thread count is per calling thread, so this stays local.
        var threads = get_num_threads();
        set_num_threads(1);
        try { Train300Steps(); }
        finally { set_num_threads(threads); }
    }

    static void Train300Steps()
    {
        manual_seed(11);
        using var model = Architectures.Build(new SegmentorSpec(Encoder: "mit_b0", Head: "daformer_sepaspp", Channels: 16));
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: 6e-5, weight_decay: 0.01);
        var img = randn(1, 3, 32, 32);
        var label = randint(0, 19, [1, 1, 32, 32], dtype: ScalarType.Int64);
        label[0, 0, 0, ..] = tensor(255L); // some ignored pixels
        var weight = rand(1, 32, 32);

        var stats = DisposeScopeManager.Statistics;
        long liveAt50 = 0;
        var lossAt1 = 0f;
        var loss300 = 0f;
        for (var step = 1; step <= 300; step++)
        {
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
                var features = model.ExtractFeatures(img);
                var logits = model.DecodeLogits(features);
                var loss = Segmentor.Loss(logits, label, weight);
                loss.backward();
                optimizer.step();
                if (step == 1) lossAt1 = loss.item<float>();
                if (step == 300) loss300 = loss.item<float>();
            }
            if (step == 50) liveAt50 = stats.ThreadTotalLiveCount;
        }
        var liveAt300 = stats.ThreadTotalLiveCount;
        Assert.True(liveAt300 <= liveAt50, $"live tensors grew from {liveAt50} (step 50) to {liveAt300} (step 300)");
        Assert.True(loss300 < lossAt1, $"training on one batch should lower the loss ({lossAt1} → {loss300})");
    }
}
