using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Networks;

/// <summary>The last real step of each row: the one helper for right-padded rows and full-length ones alike.</summary>
internal static class LastSteps
{
    /// <summary>(N, F): row i's step lengths[i] − 1 of <paramref name="features"/> (N, L, F), or step L − 1 for every row
    /// when <paramref name="lengths"/> (N, int64) is null.</summary>
    public static Tensor Of(Tensor features, Tensor? lengths)
    {
        if (lengths is null)
            return features.select(1, features.shape[1] - 1);
        Tensor index = Minus(lengths.to(features.device), 1L).view(-1, 1, 1).expand(-1, 1, features.shape[2]);
        return features.gather(1, index).squeeze(1);
    }
}
