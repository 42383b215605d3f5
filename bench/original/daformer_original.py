"""MiT + DAFormer head (sep-ASPP fusion) as the original DAFormer defines them, in plain PyTorch.

Used only to time the original side by side with the C# implementation (`bench_original.py`).
The modules follow the original's files and their parameter names, so a state dict saved by the
original (mmseg `EncoderDecoder`: `backbone.*`, `decode_head.*`) loads strictly:
  - mmseg/models/backbones/mix_transformer.py  (OverlapPatchEmbed, Attention, Mlp/DWConv, Block,
    MixVisionTransformer; DropPath as timm 0.3.2)
  - mmseg/models/decode_heads/daformer_head.py (MLP embeddings, ASPPWrapper with
    DepthwiseSeparableASPPModule, mmcv ConvModule = conv without bias + BN + ReLU)
  - mmseg/models/decode_heads/decode_head.py   (cls_seg: Dropout2d(0.1) + 1x1 conv)
The mmcv/mmseg registry, config and hook machinery is left out: it does no tensor work per step.
bench_original.py checks this model against the fixture the original code produced before it times.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

MIT = {  # variant: (embed dims, depths); heads 1,2,5,8, MLP ratio 4, reductions 8,4,2,1 for all
    'mit_b0': ([32, 64, 160, 256], [2, 2, 2, 2]),
    'mit_b1': ([64, 128, 320, 512], [2, 2, 2, 2]),
    'mit_b2': ([64, 128, 320, 512], [3, 4, 6, 3]),
    'mit_b3': ([64, 128, 320, 512], [3, 4, 18, 3]),
    'mit_b4': ([64, 128, 320, 512], [3, 8, 27, 3]),
    'mit_b5': ([64, 128, 320, 512], [3, 6, 40, 3]),
}
HEADS = [1, 2, 5, 8]
REDUCTIONS = [8, 4, 2, 1]


class DropPath(nn.Module):
    """Stochastic depth per sample (timm 0.3.2): keep mask floor(keep + U[0,1)), output x / keep * mask."""

    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if self.p == 0. or not self.training:
            return x
        keep = 1 - self.p
        mask = (keep + torch.rand((x.shape[0],) + (1,) * (x.ndim - 1), dtype=x.dtype, device=x.device)).floor_()
        return x.div(keep) * mask


class OverlapPatchEmbed(nn.Module):
    def __init__(self, k, stride, cin, cout):
        super().__init__()
        self.proj = nn.Conv2d(cin, cout, k, stride, k // 2)
        self.norm = nn.LayerNorm(cout)

    def forward(self, x):
        x = self.proj(x)
        _, _, h, w = x.shape
        return self.norm(x.flatten(2).transpose(1, 2)), h, w


class Attention(nn.Module):
    def __init__(self, dim, heads, reduction):
        super().__init__()
        self.heads, self.scale, self.reduction = heads, (dim // heads) ** -0.5, reduction
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(dim, 2 * dim)
        self.proj = nn.Linear(dim, dim)
        if reduction > 1:
            self.sr = nn.Conv2d(dim, dim, reduction, reduction)
            self.norm = nn.LayerNorm(dim)

    def forward(self, x, h, w):
        b, n, c = x.shape
        q = self.q(x).reshape(b, n, self.heads, c // self.heads).permute(0, 2, 1, 3)
        if self.reduction > 1:
            x_ = x.permute(0, 2, 1).reshape(b, c, h, w)
            x_ = self.norm(self.sr(x_).reshape(b, c, -1).permute(0, 2, 1))
            kv = self.kv(x_).reshape(b, -1, 2, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        else:
            kv = self.kv(x).reshape(b, -1, 2, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        k, v = kv[0], kv[1]
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class DWConv(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 3, 1, 1, groups=dim)

    def forward(self, x, h, w):
        b, n, c = x.shape
        return self.dwconv(x.transpose(1, 2).view(b, c, h, w)).flatten(2).transpose(1, 2)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.dwconv = DWConv(hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x, h, w):
        return self.fc2(self.act(self.dwconv(self.fc1(x), h, w)))


class Block(nn.Module):
    def __init__(self, dim, heads, reduction, drop_path):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads, reduction)
        self.drop_path = DropPath(drop_path)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, 4 * dim)

    def forward(self, x, h, w):
        x = x + self.drop_path(self.attn(self.norm1(x), h, w))
        return x + self.drop_path(self.mlp(self.norm2(x), h, w))


class MixVisionTransformer(nn.Module):
    def __init__(self, variant, drop_path_rate=0.1):
        super().__init__()
        dims, depths = MIT[variant]
        dpr = torch.linspace(0, drop_path_rate, sum(depths)).tolist()
        cur = 0
        for s in range(4):
            k, stride, cin = (7, 4, 3) if s == 0 else (3, 2, dims[s - 1])
            setattr(self, f'patch_embed{s + 1}', OverlapPatchEmbed(k, stride, cin, dims[s]))
            setattr(self, f'block{s + 1}', nn.ModuleList(
                Block(dims[s], HEADS[s], REDUCTIONS[s], dpr[cur + i]) for i in range(depths[s])))
            setattr(self, f'norm{s + 1}', nn.LayerNorm(dims[s], eps=1e-6))
            cur += depths[s]
        self.dims = dims

    def forward(self, x):
        b = x.shape[0]
        outs = []
        for s in range(4):
            x, h, w = getattr(self, f'patch_embed{s + 1}')(x)
            for blk in getattr(self, f'block{s + 1}'):
                x = blk(x, h, w)
            x = getattr(self, f'norm{s + 1}')(x)
            x = x.reshape(b, h, w, -1).permute(0, 3, 1, 2).contiguous()
            outs.append(x)
        return outs


class ConvModule(nn.Module):
    """mmcv ConvModule with BN and ReLU: the convolution has no bias."""

    def __init__(self, cin, cout, k, padding=0, dilation=1, groups=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, 1, padding, dilation, groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.activate = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.activate(self.bn(self.conv(x)))


class DepthwiseSeparableConvModule(nn.Module):
    def __init__(self, cin, cout, dilation):
        super().__init__()
        self.depthwise_conv = ConvModule(cin, cin, 3, dilation, dilation, groups=cin)
        self.pointwise_conv = ConvModule(cin, cout, 1)

    def forward(self, x):
        return self.pointwise_conv(self.depthwise_conv(x))


class ASPPWrapper(nn.Module):
    """Sep-ASPP fusion without image pooling: 1x1 branch for dilation 1, depthwise-separable 3x3 otherwise."""

    def __init__(self, cin, channels, dilations=(1, 6, 12, 18)):
        super().__init__()
        self.aspp_modules = nn.ModuleList(
            ConvModule(cin, channels, 1) if d == 1 else DepthwiseSeparableConvModule(cin, channels, d)
            for d in dilations)
        self.bottleneck = ConvModule(len(dilations) * channels, channels, 3, padding=1)

    def forward(self, x):
        return self.bottleneck(torch.cat([m(x) for m in self.aspp_modules], dim=1))


class MLP(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.proj = nn.Linear(cin, cout)

    def forward(self, x):
        return self.proj(x.flatten(2).transpose(1, 2).contiguous())


class DAFormerHead(nn.Module):
    def __init__(self, in_channels, embed_dims=256, num_classes=19):
        super().__init__()
        self.embed_layers = nn.ModuleDict({str(i): MLP(c, embed_dims) for i, c in enumerate(in_channels)})
        self.fuse_layer = ASPPWrapper(len(in_channels) * embed_dims, embed_dims)
        self.dropout = nn.Dropout2d(0.1)
        self.conv_seg = nn.Conv2d(embed_dims, num_classes, 1)

    def forward(self, feats):
        n, _, h, w = feats[0].shape
        maps = []
        for i, x in enumerate(feats):
            e = self.embed_layers[str(i)](x).permute(0, 2, 1).contiguous().reshape(n, -1, x.shape[2], x.shape[3])
            if e.shape[2:] != (h, w):
                e = F.interpolate(e, size=(h, w), mode='bilinear', align_corners=False)
            maps.append(e)
        return self.conv_seg(self.dropout(self.fuse_layer(torch.cat(maps, dim=1))))


class EncoderDecoder(nn.Module):
    def __init__(self, variant='mit_b5', embed_dims=256, num_classes=19):
        super().__init__()
        self.backbone = MixVisionTransformer(variant)
        self.decode_head = DAFormerHead(self.backbone.dims, embed_dims, num_classes)

    def encode_decode(self, img):
        """EncoderDecoder.encode_decode: logits bilinearly resized to the input size."""
        out = self.decode_head(self.backbone(img))
        return F.interpolate(out, size=img.shape[2:], mode='bilinear', align_corners=False)

    def loss(self, img, label):
        """EncoderDecoder.forward_train -> BaseDecodeHead.losses: logits at 1/4 resized to the label,
        mmseg CrossEntropyLoss (ignore 255, mean over all pixels)."""
        logits = F.interpolate(self.decode_head(self.backbone(img)), size=label.shape[2:],
                               mode='bilinear', align_corners=False)
        return F.cross_entropy(logits, label.squeeze(1), ignore_index=255, reduction='none').mean()

    def simple_test(self, img):
        """EncoderDecoder.simple_test, whole mode: softmax of the resized logits, arg-max."""
        return F.softmax(self.encode_decode(img), dim=1).argmax(dim=1)


def adamw_param_groups(model, lr=6e-5, weight_decay=0.01):
    """mmcv DefaultOptimizerConstructor with DAFormer's paramwise_cfg custom_keys (head: lr x10,
    pos_block and norm: decay x0): one group per parameter; the first key contained in the name,
    longest key first, applies."""
    groups = []
    for name, p in model.named_parameters():
        g = {'params': [p], 'lr': lr, 'weight_decay': weight_decay}
        key = next((k for k in ('pos_block', 'head', 'norm') if k in name), None)
        if key == 'head':
            g['lr'] = lr * 10
        elif key is not None:
            g['weight_decay'] = 0.
        groups.append(g)
    return groups
