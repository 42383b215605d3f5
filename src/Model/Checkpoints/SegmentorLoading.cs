using DaFormer.Model.Segmentors;

namespace DaFormer.Model.Checkpoints;

/// Loading weights from a checkpoint file into a built model — the one path every command, script
/// and trainer uses, so that every mismatch is reported the same way: one paragraph naming the file,
/// the keys that disagree and the architecture the file does fit, with how to build that one.
public static class SegmentorLoading
{
    /// Loads a segmentor checkpoint (plain state dict, DAFormer/mmcv training checkpoint — the student
    /// `model.` by default or the teacher `ema_model.` — or our safetensors export) strictly into `model`.
    public static void LoadInto(SegmentorBase model, string path, WhichWeights which = WhichWeights.Student)
    {
        using var contents = CheckpointReader.Read(path);
        LoadInto(model, contents, which);
    }

    /// As above, from a file already read (the caller disposes `contents`).
    public static void LoadInto(SegmentorBase model, CheckpointContents contents, WhichWeights which = WhichWeights.Student)
    {
        var path = contents.Path;
        if (contents.Layout == CheckpointLayout.Encoder)
            throw new DaFormerError($"{path}: this is an encoder-only (ImageNet) checkpoint" + EncoderFit(contents) +
                                    "; it has no decode head to segment with. Use it to initialise training (config Model.Pretrained), " +
                                    "or pass a segmentor / training checkpoint.");
        var weights = WeightSelection.SegmentorWeights(contents, which);
        var mismatch = StateDictLoader.Compare(model, weights);
        if (!mismatch.IsEmpty)
            throw new DaFormerError(MismatchMessage(path, WhatWasRead(contents, which), model.Spec, mismatch, ArchitectureGuess.ShapesOf(weights), model.Hrda));
        StateDictLoader.Load(model, weights, path, strict: true);
    }

    /// Builds the model the checkpoint fits (ArchitectureGuess) and loads it, in eval mode — for
    /// evaluating a released or saved checkpoint without stating its architecture.
    public static SegmentorBase Build(string path, WhichWeights which = WhichWeights.Student)
    {
        using var contents = CheckpointReader.Read(path);
        var guess = ArchitectureGuess.Segmentor(contents, which);
        if (guess.Spec is null)
            throw new DaFormerError($"{path}: cannot tell which model these weights belong to: {guess.Reason}. " +
                                    "Expected a DAFormer or HRDA segmentor or training checkpoint (MiT-b0…b5 or ResNet-V1c encoder with a known head).");
        var model = SegmentorFactory.Build(guess.Spec, guess.Hrda);
        try
        {
            LoadInto(model, contents, which);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// Loads an ImageNet encoder file — `mit_b*.pth`, or the open-mmlab ResNet-V1c / ResNeXt / ResNeSt
    /// weights (bare encoder keys, optionally under `state_dict` and `module.`; the classifier `head.*` /
    /// `fc.*` is ignored as by the original's non-strict `load_checkpoint`) — or the `backbone.*` of any
    /// segmentor or training checkpoint — into the encoder. Missing keys (but a BN counter) and wrongly
    /// shaped keys are errors.
    public static void LoadEncoder(SegmentorBase model, string path)
    {
        using var contents = CheckpointReader.Read(path);
        LoadEncoder(model, contents);
    }

    /// As above, from a file already read (the caller disposes `contents`).
    public static void LoadEncoder(SegmentorBase model, CheckpointContents contents)
    {
        var path = contents.Path;
        var (weights, prefix) = contents.Layout switch
        {
            CheckpointLayout.Encoder => (contents.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), ""),
            CheckpointLayout.Segmentor => (StateDictLoader.WithPrefix(contents.Tensors, "backbone."), "backbone."),
            CheckpointLayout.UdaTraining => (StateDictLoader.WithPrefix(contents.Tensors, "model.backbone."), "model.backbone."),
            _ => throw new DaFormerError($"{path}: not an encoder checkpoint — the keys ({string.Join(", ", contents.Tensors.Keys.Take(3))}, …) " +
                                         $"are not those of an ImageNet encoder file (MiT: patch_embed1.*, block1.*, …; ResNet family: stem.* or conv1.*, layer1.*, …); use {ImageNetFile(model.Spec.Encoder)}."),
        };
        var mismatch = StateDictLoader.Compare(model.Backbone, weights, IsClassifier);
        mismatch = mismatch with { Missing = [.. mismatch.Missing.Where(k => !IsBatchCounter(k))] };
        if (!mismatch.IsEmpty)
        {
            var guess = ArchitectureGuess.Encoder(ArchitectureGuess.ShapesOf(contents.Tensors), prefix);
            var fit = guess.Encoder is { } e
                ? e == model.Spec.Encoder
                    ? $" The file does hold a {e} encoder, but its keys differ; it may be damaged or come from another code base."
                    : $" The file holds a {e} encoder: set Model.Encoder to {e}, or use {ImageNetFile(model.Spec.Encoder)} for {model.Spec.Encoder}."
                : $" The file fits no encoder known here ({guess.Reason}); use {ImageNetFile(model.Spec.Encoder)}.";
            throw new DaFormerError($"{path}: the encoder weights do not fit the {model.Spec.Encoder} encoder: {mismatch.Describe()}.{fit}");
        }
        StateDictLoader.Load(model.Backbone, weights, path, strict: false, ignore: IsClassifier);
    }

    /// The ImageNet classifier the original's non-strict `load_checkpoint` skips: MiT's `head.*`,
    /// the ResNet family's `fc.*`.
    static bool IsClassifier(string key) =>
        key.StartsWith("head.", StringComparison.Ordinal) || key.StartsWith("fc.", StringComparison.Ordinal);

    /// BatchNorm's `num_batches_tracked`: files converted from other code bases may lack it; the
    /// original's non-strict load then keeps the fresh counter (it affects nothing with a fixed momentum).
    static bool IsBatchCounter(string key) => key.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    /// Where the run config expects the encoder's ImageNet weights (`pretrained/resnet101_v1c.pth`).
    static string ImageNetFile(string encoder) => ArchitectureTable.FindEncoder(encoder)?.PretrainedPath ?? $"pretrained/{encoder}.pth";

    static string WhatWasRead(CheckpointContents c, WhichWeights which) => c.Layout == CheckpointLayout.UdaTraining
        ? which == WhichWeights.Teacher ? "the teacher weights (ema_model.*)" : "the student weights (model.*)"
        : "the weights";

    static string EncoderFit(CheckpointContents c) =>
        ArchitectureGuess.Encoder(ArchitectureGuess.ShapesOf(c.Tensors)).Encoder is { } e ? $" of a {e} encoder" : "";

    /// One paragraph: file, what was read, the model it was loaded into, the differing keys and the fix.
    public static string MismatchMessage(string path, string what, SegmentorSpec model, KeyMismatch mismatch,
                                         IReadOnlyDictionary<string, long[]> fileShapes, HrdaSpec? modelHrda = null)
    {
        var guess = ArchitectureGuess.Segmentor(fileShapes);
        var modelName = ArchitectureGuess.Describe(Canonical(model), modelHrda);
        // HRDA and plain checkpoints differ in every head key; say that first, in words.
        if (guess.Spec is { } other && (guess.Hrda is null) != (modelHrda is null))
            return guess.Hrda is not null
                ? $"{path}: {what} are those of an HRDA segmentor ({ArchitectureGuess.Describe(other, guess.Hrda)}: decode_head.head.*, decode_head.scale_attention.*), " +
                  $"but the model is the plain {modelName} (decode_head.*). Set Model.Hrda = new HrdaConfig() in the run config (or use the original HRDA config), or pass a DAFormer checkpoint."
                : $"{path}: {what} are those of a plain segmentor ({ArchitectureGuess.Describe(other)}: decode_head.* without decode_head.head.* / decode_head.scale_attention.*), " +
                  $"but the model is {modelName}. Set Model.Hrda = null to load it as DAFormer, or pass an HRDA checkpoint.";
        var fix = guess.Spec is { } fits
            ? SameArchitecture(fits, model)
                ? $" The file's keys name the same architecture ({ArchitectureGuess.Describe(fits)}) yet differ from the model's; it may be damaged or come from another code base."
                : $" The file fits {ArchitectureGuess.Describe(fits)}: build the model as {ArchitectureGuess.BuildInstruction(fits)} " +
                  $"(run config Model.Encoder/Decoder/Channels/NumClasses), or pass a checkpoint of {ArchitectureGuess.Describe(Canonical(model))}."
            : $" The file fits no architecture known here ({guess.Reason}).";
        return $"{path}: {what} do not fit the model {modelName}: {mismatch.Describe()}.{fix}";
    }

    static SegmentorSpec Canonical(SegmentorSpec s) => s with { Head = Architectures.CanonicalHead(s.Head) };

    static bool SameArchitecture(SegmentorSpec a, SegmentorSpec b)
    {
        var (x, y) = (Canonical(a), Canonical(b));
        return x.Encoder == y.Encoder && x.Head == y.Head && x.NumClasses == y.NumClasses && (x.Channels == y.Channels || ArchitectureTable.FindHead(x.Head) is { UsesChannels: false });
    }
}
