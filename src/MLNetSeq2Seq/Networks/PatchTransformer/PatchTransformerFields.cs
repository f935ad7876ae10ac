using System.IO;
using System.Text.Json.Nodes;

namespace MLNetSeq2Seq.Networks.PatchTransformer;

/// <summary>The patch Transformer's own architecture fields: patch length P, stride S, attention heads and the
/// feed-forward size (d_model and the layer count are the shared HiddenSize and LayerCount). Binary: four ints in this
/// order; JSON: patch_length, patch_stride, head_count, feed_forward_size.</summary>
internal sealed record PatchTransformerFields(int PatchLength, int PatchStride, int HeadCount, int FeedForwardSize) : IFamilyArchitectureFields
{
    /// <summary>Patches of a window of <paramref name="lookback"/> steps, the last one padded: ⌊(L − P)/S⌋ + 2.</summary>
    public int PatchCount(int lookback) => (lookback - PatchLength) / PatchStride + 2;

    /// <summary>For each patch and step in it (patch-major), the window step it reads: patch n, step p reads
    /// min(n·S + p, L − 1), so the padding repeats the last step.</summary>
    public long[] StepIndices(int lookback)
    {
        int patches = PatchCount(lookback);
        var indices = new long[(long)patches * PatchLength];
        for (int n = 0; n < patches; n++)
            for (int p = 0; p < PatchLength; p++)
                indices[n * PatchLength + p] = System.Math.Min((long)n * PatchStride + p, lookback - 1);
        return indices;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(PatchLength);
        writer.Write(PatchStride);
        writer.Write(HeadCount);
        writer.Write(FeedForwardSize);
    }

    public JsonObject ToJson() => new()
    {
        ["patch_length"] = PatchLength,
        ["patch_stride"] = PatchStride,
        ["head_count"] = HeadCount,
        ["feed_forward_size"] = FeedForwardSize,
    };

    public string Describe() => $" patch={PatchLength}/{PatchStride} heads={HeadCount} feed-forward={FeedForwardSize}";
}
