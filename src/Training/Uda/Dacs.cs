using DaFormer.Model;
using DaFormer.Model.Backbones;
using DaFormer.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Training.Uda;

/// The knobs of one DACS iteration (spec §4.3–4.4), resolved from the run config.
public sealed record DacsSettings(
    double EmaAlpha = 0.999,
    double PseudoThreshold = 0.968,
    int PseudoCropTop = 15,
    int PseudoCropBottom = 120,
    double ColorJitterStrength = 0.2,
    double ColorJitterProbability = 0.2,
    bool Blur = true,
    double FdLambda = 0.005,
    IReadOnlyList<long>? FdClasses = null,
    double FdMinRatio = 0.75,
    int NumClasses = 19)
{
    public static readonly double[] Mean = [123.675, 116.28, 103.53];
    public static readonly double[] Std = [58.395, 57.12, 57.375];
}

/// The three networks of DACS: the trained student, its EMA teacher and (for the feature distance)
/// a frozen copy of the ImageNet encoder.
public sealed record DacsNetworks(Segmentor Student, Segmentor Teacher, Encoder? ImageNet);

/// Scalars one iteration reports (loss terms keyed as the original logs them), and on request the
/// images of the iteration for the debug grid (CPU copies the caller disposes).
public sealed record DacsResult(IReadOnlyDictionary<string, double> Losses, double PseudoConfidence, DebugImages.Panels? Debug = null);

/// One DACS iteration, in the order of spec §4.4. The caller sets the learning rates, calls
/// `zero_grad` before and `optimizer.step()` after; this function performs the teacher update,
/// the three backward passes and returns the logged scalars. All randomness comes from
/// (seed, iteration), so a resumed run repeats exactly what an uninterrupted one would do.
public static class Dacs
{
    public static DacsResult Step(DacsNetworks nets, Tensor img, Tensor gt, Tensor timg, int iter, DacsSettings s, long seed, bool captureDebug = false)
    {
        using var scope = NewDisposeScope();
        var losses = new Dictionary<string, double>();
        var student = nets.Student;

        // 1. Teacher update from the student after `iter` optimizer steps (parameters only).
        Ema.UpdateTeacher(nets.Teacher.parameters(), student.parameters(), iter, s.EmaAlpha);

        // 2. Augmentation switches and per-sample factors (drawn up front; shared by the batch).
        var rng = RandomStreams.Random(seed, iter, RandomStreams.Purpose.DacsSwitches);
        var draw = StrongAugment.Draw(rng, (int)img.shape[0], s.ColorJitterStrength, s.ColorJitterProbability, s.Blur);

        // 3. Source step (student in train mode: DropPath and Dropout2d active).
        student.train();
        var useFd = s.FdLambda > 0 && nets.ImageNet is not null;
        var features = student.ExtractFeatures(img);
        var srcLogits = student.DecodeLogits(features);
        var srcLoss = Segmentor.Loss(srcLogits, gt);
        losses["decode.loss_seg"] = srcLoss.item<float>();
        losses["decode.acc_seg"] = Segmentor.Accuracy(srcLogits, gt);
        srcLoss.backward(retain_graph: useFd);

        // 4. ImageNet feature distance on the last stage, restricted to thing classes.
        if (useFd)
        {
            Tensor imnetLast;
            using (no_grad())
            {
                nets.ImageNet!.eval();
                var imnet = nets.ImageNet.forward(img);
                imnetLast = imnet[^1];
            }
            var fd = FeatureDistance.Compute(features[^1], imnetLast, gt, s.FdLambda, s.FdClasses, s.FdMinRatio, s.NumClasses);
            // No selected cell: the original's mean is NaN but reaches no parameter. The term is then
            // logged as 0 (no backward), so every record of an FD run has it and sums stay finite.
            if (fd.Loss is { } fdLoss)
            {
                losses["src.loss_imnet_feat_dist"] = fdLoss.item<float>();
                fdLoss.backward();
            }
            else losses["src.loss_imnet_feat_dist"] = 0.0;
        }

        // 5. Pseudo-labels from the teacher: BN on batch statistics, stochastic layers off.
        PseudoLabels pl;
        using (no_grad())
        {
            nets.Teacher.TeacherMode();
            var teacherLogits = nets.Teacher.EncodeDecode(timg);
            pl = PseudoLabelsFrom(teacherLogits, s, (int)timg.shape[2]);
        }

        // 6–7. ClassMix with the source labels, then colour jitter / blur on the mixed image.
        var classes = ClassMix.ChooseClassesPerSample(gt, RandomStreams.Random(seed, iter, RandomStreams.Purpose.ClassMix));
        var masks = ClassMix.ClassMasks(gt, classes);
        var (mixImg, mixLbl, mixW) = ClassMix.MixBatch(masks, img, timg, gt, pl.Label, pl.Weight);
        var augmented = StrongAugment.Apply(mixImg, DacsSettings.Mean, DacsSettings.Std, draw);

        // 8. Mixed step with the pixel weights.
        var mixLogits = student.DecodeLogits(student.ExtractFeatures(augmented));
        var mixLoss = Segmentor.Loss(mixLogits, mixLbl, mixW);
        losses["mix.decode.loss_seg"] = mixLoss.item<float>();
        mixLoss.backward();

        var debug = captureDebug
            ? new DebugImages.Panels(
                [("source", img), ("target", timg), ("mixed", augmented)],
                [("source GT", gt.squeeze(1)), ("pseudo-label", pl.Label), ("mixed label", mixLbl.squeeze(1)), ("mixed pred", mixLogits.detach().argmax(1))])
              .ToCpu()
            : null;
        return new DacsResult(losses, pl.ConfidentFraction, debug);
    }

    static PseudoLabels PseudoLabelsFrom(Tensor teacherLogits, DacsSettings s, int height) =>
        DaFormer.Training.Uda.PseudoLabels.FromTeacherLogits(teacherLogits, s.PseudoThreshold, s.PseudoCropTop, s.PseudoCropBottom);
}
