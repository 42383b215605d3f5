using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Model.Segmentors;
using DaFormer.Training.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Training.Runs;

/// The networks of a run: the student (trained), its EMA teacher (DACS only) and a frozen copy of
/// the initial encoder for the ImageNet feature distance (DACS with FD only). Prefixes match the
/// original's checkpoint layout: `model.`, `ema_model.`, `imnet_model.`.
public sealed class Networks : IDisposable
{
    public SegmentorBase Student { get; }
    public SegmentorBase? Teacher { get; }
    public SegmentorBase? ImageNet { get; }

    Networks(SegmentorBase student, SegmentorBase? teacher, SegmentorBase? imageNet)
    {
        Student = student;
        Teacher = teacher;
        ImageNet = imageNet;
    }

    public IReadOnlyList<(string Prefix, TorchSharp.torch.nn.Module Module)> Prefixed()
    {
        var list = new List<(string, TorchSharp.torch.nn.Module)> { ("model.", Student) };
        if (Teacher is not null) list.Add(("ema_model.", Teacher));
        if (ImageNet is not null) list.Add(("imnet_model.", ImageNet));
        return list;
    }

    /// Builds the networks on `device`. Weights are initialised from `seed`, then the encoder of the
    /// student (and of the ImageNet copy) is loaded from `Model.Pretrained` when given.
    public static Networks Create(RunConfig cfg, Device device, long seed)
    {
        // Plain DAFormer, or HRDA (Model.Hrda) around the same encoder and head: every network of the
        // run is the same kind, so the EMA and the ImageNet copy match the student key for key.
        var spec = cfg.Model.ToSpec();
        var hrda = cfg.Model.ToHrdaSpec();
        SegmentorBase Build() => SegmentorFactory.Build(spec, hrda);
        manual_seed(seed);
        var student = Build();
        if (cfg.Model.Pretrained is { } file) LoadPretrainedEncoder(student, file);
        SegmentorBase? teacher = null, imnet = null;
        if (cfg.Uda.Mode == UdaMode.Dacs)
        {
            teacher = Build();
            // The teacher's parameters are overwritten by the EMA copy at iteration 0.
            foreach (var p in teacher.parameters()) p.requires_grad = false;
            if (cfg.Uda.FeatureDistance is not null)
            {
                imnet = Build();
                using (no_grad())
                    foreach (var (k, v) in student.state_dict()) imnet.state_dict()[k].copy_(v);
                foreach (var p in imnet.parameters()) p.requires_grad = false;
                imnet.eval();
            }
        }
        student.to(device);
        teacher?.to(device);
        imnet?.to(device);
        return new Networks(student, teacher, imnet);
    }

    /// Loads an ImageNet `mit_b*.pth` (bare encoder keys, `head.*` ignored) or the `backbone.*` of any
    /// checkpoint into the encoder (see SegmentorLoading.LoadEncoder).
    public static void LoadPretrainedEncoder(SegmentorBase model, string file) => SegmentorLoading.LoadEncoder(model, file);

    public void Dispose()
    {
        Student.Dispose();
        Teacher?.Dispose();
        ImageNet?.Dispose();
    }
}
