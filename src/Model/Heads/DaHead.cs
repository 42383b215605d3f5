using DaFormer.Model.Runtime;
using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Heads;

/// DANet (mmseg `da_head.py` DAHead) on the last level x: a position-attention branch
/// (`pam_in_conv` 3×3 → PAM → `pam_out_conv` 3×3) and a channel-attention branch (`cam_in_conv` →
/// CAM → `cam_out_conv`). Inference: `conv_seg(dropout(pam + cam))`. Training adds the auxiliary
/// classifiers `pam_conv_seg(dropout(pam))` and `cam_conv_seg(dropout(cam))`, each with its own CE
/// loss (`decode.pam_cam`, `decode.pam`, `decode.cam`). `norm` false is the `_nodbn` variant.
public sealed class DaHead : DecodeHead
{
    public readonly Conv2d conv_seg;
    public readonly Dropout2d? dropout;
    public readonly ConvModule pam_in_conv;
    public readonly PositionAttention pam;
    public readonly ConvModule pam_out_conv;
    public readonly Conv2d pam_conv_seg;
    public readonly ConvModule cam_in_conv;
    public readonly ChannelAttention cam;
    public readonly ConvModule cam_out_conv;
    public readonly Conv2d cam_conv_seg;

    public override int NumClasses { get; }

    public DaHead(long inChannels, long channels, long pamChannels, int numClasses, bool norm, double dropoutRatio = 0.1)
        : base(nameof(DaHead))
    {
        NumClasses = numClasses;
        conv_seg = nn.Conv2d(channels, numClasses, 1);
        dropout = dropoutRatio > 0 ? nn.Dropout2d(dropoutRatio) : null;
        pam_in_conv = new ConvModule(inChannels, channels, 3, padding: 1, norm: norm);
        pam = new PositionAttention(channels, pamChannels);
        pam_out_conv = new ConvModule(channels, channels, 3, padding: 1, norm: norm);
        pam_conv_seg = nn.Conv2d(channels, numClasses, 1); // PyTorch's default init, as in the original
        cam_in_conv = new ConvModule(inChannels, channels, 3, padding: 1, norm: norm);
        cam = new ChannelAttention();
        cam_out_conv = new ConvModule(channels, channels, 3, padding: 1, norm: norm);
        cam_conv_seg = nn.Conv2d(channels, numClasses, 1);
        RegisterComponents();
        Init.Normal(conv_seg, 0.01);
    }

    (Tensor Pam, Tensor Cam) Branches(Tensor x)
    {
        using var pIn = pam_in_conv.forward(x);
        using var pAtt = pam.forward(pIn);
        var pamFeat = pam_out_conv.forward(pAtt);
        using var cIn = cam_in_conv.forward(x);
        using var cAtt = cam.forward(cIn);
        var camFeat = cam_out_conv.forward(cAtt);
        return (pamFeat, camFeat);
    }

    public override Tensor forward(Tensor[] features)
    {
        var (p, c) = Branches(features[^1]);
        using (p) using (c)
        {
            using var sum = p.Plus(c);
            return DaformerHead.Classify(sum, dropout, conv_seg);
        }
    }

    public override IReadOnlyList<(string Name, Tensor Logits)> ForwardTrain(Tensor[] features)
    {
        var (p, c) = Branches(features[^1]);
        using (p) using (c)
        {
            using var sum = p.Plus(c);
            return [("decode.pam_cam", DaformerHead.Classify(sum, dropout, conv_seg)),
                    ("decode.pam", DaformerHead.Classify(p, dropout, pam_conv_seg)),
                    ("decode.cam", DaformerHead.Classify(c, dropout, cam_conv_seg))];
        }
    }
}

/// DANet's position attention (mmseg `da_head.py` PAM): a self-attention block with plain 1×1
/// key/query projections (C → pam_channels) and value projection (C → C), no 1/√d scaling, then
/// `gamma · context + x` with a learnable scalar gamma initialised to 0.
public sealed class PositionAttention : nn.Module<Tensor, Tensor>
{
    public readonly Conv2d key_project;
    public readonly Conv2d query_project;
    public readonly Conv2d value_project;
    public readonly Scale gamma;

    public PositionAttention(long channels, long pamChannels) : base("PAM")
    {
        key_project = nn.Conv2d(channels, pamChannels, 1);
        query_project = nn.Conv2d(channels, pamChannels, 1);
        value_project = nn.Conv2d(channels, channels, 1);
        gamma = new Scale(0f);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        using var q = query_project.forward(x);
        using var k = key_project.forward(x);
        using var v = value_project.forward(x);
        using var qFlat = q.reshape(b, q.shape[1], -1).permute(0, 2, 1);
        using var kFlat = k.reshape(b, k.shape[1], -1);
        using var vFlat = v.reshape(b, c, -1).permute(0, 2, 1);
        using var sim = qFlat.matmul(kFlat);
        using var attention = sim.softmax(-1);
        using var context = attention.matmul(vFlat);
        using var map = context.permute(0, 2, 1).reshape(b, c, h, w);
        using var scaled = gamma.forward(map);
        return scaled.Plus(x);
    }
}

/// DANet's channel attention (mmseg `da_head.py` CAM): E = X·Xᵀ over channels, attention =
/// softmax(rowmax(E) − E), out = attention·X; then `gamma · out + x` (gamma initialised to 0).
public sealed class ChannelAttention : nn.Module<Tensor, Tensor>
{
    public readonly Scale gamma;

    public ChannelAttention() : base("CAM")
    {
        gamma = new Scale(0f);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        using var flat = x.reshape(b, c, -1);
        using var energy = flat.bmm(flat.transpose(1, 2));
        using var rowMax = energy.max(-1, keepdim: true).values;
        using var inverted = rowMax - energy;
        using var attention = inverted.softmax(-1);
        using var outFlat = attention.bmm(flat);
        using var map = outFlat.view(b, c, h, w);
        using var scaled = gamma.forward(map);
        return scaled.Plus(x);
    }
}
