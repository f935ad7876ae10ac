using System.Linq;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests;

/// <summary>Whole-tensor comparisons (TorchSharp's torch.equal compares element-wise).</summary>
internal static class TensorAssert
{
    public static bool Identical(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
