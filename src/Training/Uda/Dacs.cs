using DaFormer.Model;
using DaFormer.Model.Runtime;
using DaFormer.Training.Config;
using DaFormer.Training.Data.Pipeline;
using DaFormer.Training.Optim;
using DaFormer.Training.Randomness;
using static TorchSharp.torch;

namespace DaFormer.Training.Uda;

/// The three networks of DACS: the trained student, its EMA teacher and (for the feature distance)
/// a frozen copy of the segmentor with the ImageNet encoder weights (only its `ExtractFeatures` runs).
/// Each is a DAFormer encoder–decoder or an HRDA segmentor; the step does not ask which.
public sealed record DacsNetworks(SegmentorBase Student, SegmentorBase Teacher, SegmentorBase? ImageNet);

/// The batch of one DACS iteration: source images (B,3,H,W), source labels (B,1,H,W) int64 and
/// target images (B,3,H,W), normalised with `Normalization`. `ValidPseudoMask` (B,1,H,W), 0/1, is
/// the original's `valid_pseudo_mask` of the pseudo-label margins (null = no margins).
public sealed record DacsBatch(Tensor Source, Tensor SourceLabel, Tensor Target)
{
    public Normalization Normalization { get; init; } = Normalization.ImageNet;
    public Tensor? ValidPseudoMask { get; init; }
}

/// Scalars one iteration reports (loss terms keyed as the original logs them), and on request the
/// images of the iteration for the debug grid (CPU copies the caller disposes).
public sealed record DacsResult(IReadOnlyDictionary<string, double> Losses, double PseudoConfidence, DebugImages.Panels? Debug = null);

/// One DACS iteration (DAFormer paper §3, the original's `DACS.forward_train`) as numbered steps;
/// MIC is one more step when `UdaConfig.Mic` is set. The caller sets the learning rates, calls
/// `zero_grad` before and `optimizer.step()` after; this function performs the teacher update and
/// the backward passes and returns the logged scalars. Every random decision comes from `random`
/// (the streams of this iteration), so a resumed run repeats exactly what an uninterrupted one did.
/// `lossScale` multiplies every backward (fp16 loss scaling); the logged values are unscaled.
public static class Dacs
{
    public static DacsResult Step(DacsNetworks nets, DacsBatch batch, UdaConfig uda, int numClasses,
        IterationStreams random, bool captureDebug = false, double lossScale = 1.0)
    {
        using var scope = NewDisposeScope();
        var (img, gt, timg) = (batch.Source, batch.SourceLabel, batch.Target);
        var (mean, std) = (batch.Normalization.Mean, batch.Normalization.Std);
        var losses = new Dictionary<string, double>();
        var student = nets.Student;
        var iter = (int)random.Iteration;
        // One stream for every detail-crop box of the iteration (source, mixed, masked forwards in order).
        var crop = random.Random(Purpose.HrdaCrop);

        // 1. Teacher update from the student after `iter` optimizer steps (parameters only).
        Ema.UpdateTeacher(nets.Teacher.parameters(), student.parameters(), iter, uda.EmaAlpha);

        // 2. Augmentation switches and per-sample factors of the mixed batch (drawn up front).
        var draw = StrongAugment.Draw(random.Random(Purpose.DacsSwitches), (int)img.shape[0],
            uda.ColorJitter.Strength, uda.ColorJitter.Probability, uda.Blur);

        // 3. Source step (student in train mode: DropPath and Dropout2d active).
        student.train();
        var useFd = uda.FeatureDistance is not null && nets.ImageNet is not null;
        var source = SegmentorTraining.Forward(student, img, gt, weight: null, crop: crop, returnFeatures: useFd);
        SegmentorTraining.AddLogs(losses, source.Logs);
        ScaledOptimizerStep.Backward(source.Loss, lossScale, retainGraph: useFd);

        // 4. ImageNet feature distance on the last stage, restricted to thing classes (HRDA: the
        //    features at `feature_scale`, whose cells cover more pixels of the full-resolution label).
        //    No selected cell: the original's mean is NaN but reaches no parameter. The term is then
        //    logged as 0 (no backward), so every record of an FD run has it and sums stay finite.
        if (useFd)
            losses["src.loss_imnet_feat_dist"] = FeatureDistanceStep(nets.ImageNet!, img, source, gt, uda.FeatureDistance!, numClasses, lossScale) ?? 0.0;

        // 5. Pseudo-labels from the teacher on the whole target crop (HRDA: context view + overlapping
        //    detail windows, fused everywhere): BN on batch statistics, stochastic layers off.
        PseudoLabels pl;
        using (no_grad())
        {
            nets.Teacher.TeacherMode();
            var teacherLogits = nets.Teacher.EncodeDecode(timg);
            pl = PseudoLabels.FromTeacherLogits(teacherLogits, uda.PseudoThreshold, uda.PseudoLabelCrop?.Top ?? 0, uda.PseudoLabelCrop?.Bottom ?? 0);
            // `filter_valid_pseudo_region`: after the row crop, the weight times the margin mask.
            if (batch.ValidPseudoMask is { } valid) pl = pl with { Weight = pl.Weight * valid.squeeze(1) };
        }

        // 6. ClassMix with the source labels (into new tensors: the un-mixed weights stay for MIC).
        var classes = ClassMix.ChooseClassesPerSample(gt, random.Random(Purpose.ClassMix));
        var masks = ClassMix.ClassMasks(gt, classes);
        var (mixImg, mixLbl, mixW) = ClassMix.MixBatch(masks, img, timg, gt, pl.Label, pl.Weight);

        // 7. Colour jitter / blur on the mixed image.
        var augmented = StrongAugment.Apply(mixImg, mean, std, draw);

        // 8. Mixed step with the pixel weights.
        var mix = SegmentorTraining.Forward(student, augmented, mixLbl, mixW, crop: crop);
        SegmentorTraining.AddLogs(losses, mix.Logs, "mix.");
        ScaledOptimizerStep.Backward(mix.Loss, lossScale);

        // 9. MIC: the student on a block-masked (augmented) copy of the target, teacher pseudo-labels.
        MaskedResult? masked = null;
        if (uda.Mic is { } mic)
        {
            var weight = mic.ConfidenceWeight ? pl.Weight
                : PseudoLabels.Region(pl.Label, uda.PseudoLabelCrop?.Top ?? 0, uda.PseudoLabelCrop?.Bottom ?? 0);
            if (!mic.ConfidenceWeight && batch.ValidPseudoMask is { } valid) weight = weight * valid.squeeze(1);
            var inputs = MaskedConsistency.Select(mic.Mode, img, gt, timg, pl.Label, weight);
            masked = MaskedConsistency.Step(student, inputs, mic, mean, std, random, crop, lossScale);
            SegmentorTraining.AddLogs(losses, masked.Logs, "masked.");
        }

        var debug = captureDebug ? DebugPanels(img, timg, augmented, gt, pl, mixLbl, mix.Logits, masked) : null;
        return new DacsResult(losses, pl.ConfidentFraction, debug);
    }

    /// λ·‖F_student − F_ImageNet‖ on thing-class cells, backward; the logged value, or null when no
    /// cell is selected (the original's mean is NaN then but reaches no parameter: skip it entirely).
    /// With HRDA's `feature_scale='all'` the source forward also returns the detail crop's features:
    /// their distance (to the ImageNet encoder on the same crop, the label cut with the same box) is
    /// added to the context view's, as the original sums the scales.
    static double? FeatureDistanceStep(SegmentorBase imageNet, Tensor img, TrainingForward source, Tensor gt, Config.FeatureDistance fd, int numClasses, double lossScale)
    {
        var classes = fd.Classes?.Select(c => (long)c).ToList();
        Tensor? Distance(Tensor studentLast, Func<Tensor[]> imnetFeatures, Tensor label)
        {
            Tensor imnetLast;
            using (no_grad())
            {
                imageNet.eval();
                imnetLast = imnetFeatures()[^1];
            }
            return Uda.FeatureDistance.Compute(studentLast, imnetLast, label, fd.Lambda, classes, fd.MinRatio ?? 0.75, numClasses).Loss;
        }
        var terms = new List<Tensor>();
        if (Distance(source.Features![^1], () => imageNet.ExtractFeatures(img), gt) is { } context) terms.Add(context);
        if (source.DetailFeatures is { } detail && source.DetailBox is { } box)
        {
            var crop = img[.., .., box.Y1..box.Y2, box.X1..box.X2];
            if (Distance(detail[^1], () => imageNet.Backbone.forward(crop), gt[.., .., box.Y1..box.Y2, box.X1..box.X2]) is { } d) terms.Add(d);
        }
        if (terms.Count == 0) return null;
        var loss = terms.Count == 1 ? terms[0] : terms[0].Plus(terms[1]);
        var value = loss.item<float>();
        ScaledOptimizerStep.Backward(loss, lossScale);
        return value;
    }

    static DebugImages.Panels DebugPanels(Tensor img, Tensor timg, Tensor augmented, Tensor gt, PseudoLabels pl,
        Tensor mixLbl, Tensor mixLogits, MaskedResult? masked)
    {
        var images = new List<(string, Tensor)> { ("source", img), ("target", timg), ("mixed", augmented) };
        var labels = new List<(string, Tensor)>
        {
            ("source GT", gt.squeeze(1)), ("pseudo-label", pl.Label), ("mixed label", mixLbl.squeeze(1)), ("mixed pred", mixLogits.detach().argmax(1)),
        };
        if (masked is not null && masked.MaskedImage.shape[0] == img.shape[0])
        {
            images.Add(("masked", masked.MaskedImage));
            labels.Add(("masked pred", masked.Prediction));
        }
        return new DebugImages.Panels(images, labels).ToCpu();
    }
}
