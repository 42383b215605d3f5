namespace DaFormer.Model.Checkpoints;

/// Which network of a UDA training checkpoint to use.
public enum WhichWeights
{
    /// `model.` — the student, which the original evaluates (tools/test.py strips `model.`).
    Student,
    /// `ema_model.` — the EMA teacher.
    Teacher,
}

/// Turns any supported checkpoint layout into a plain segmentor state dict (`backbone.*`, `decode_head.*`).
public static class WeightSelection
{
    public static string PrefixOf(WhichWeights which) => which == WhichWeights.Teacher ? "ema_model." : "model.";

    public static Dictionary<string, TorchSharp.torch.Tensor> SegmentorWeights(CheckpointContents c, WhichWeights which = WhichWeights.Student)
    {
        switch (c.Layout)
        {
            case CheckpointLayout.UdaTraining:
                var prefix = PrefixOf(which);
                var selected = StateDictLoader.WithPrefix(c.Tensors, prefix);
                if (selected.Count == 0)
                    throw new DaFormerError($"{c.Path}: the checkpoint has no '{prefix}' weights (it has {string.Join(", ", c.Prefixes().Select(p => p.Prefix))}).");
                return selected;
            case CheckpointLayout.Segmentor:
                if (which == WhichWeights.Teacher)
                    throw new DaFormerError($"{c.Path}: --teacher needs a UDA training checkpoint (with 'ema_model.' weights); this file holds a single segmentor.");
                return c.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            case CheckpointLayout.Encoder:
                throw new DaFormerError($"{c.Path}: this is an encoder-only (ImageNet) checkpoint; it initialises the encoder for training " +
                                        "(config Model.Pretrained) but has no decode head to segment with.");
            default:
                throw new DaFormerError($"{c.Path}: the keys ({string.Join(", ", c.Tensors.Keys.Take(3))}, …) are not those of a DAFormer segmentor " +
                                        "(expected backbone.*/decode_head.*, or model.* in a training checkpoint).");
        }
    }
}
