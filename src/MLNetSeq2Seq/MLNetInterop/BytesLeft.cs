using System.IO;

namespace MLNetSeq2Seq.MLNetInterop;

/// <summary>
/// The guard every reader of a model block runs before it allocates for a count read from the file: the count times the
/// fewest bytes one entry takes must fit in what is left of the block (the block was read whole and checksummed, so its
/// length is known). A damaged or forged count is then an <see cref="InvalidDataException"/>, not an allocation.
/// </summary>
internal static class BytesLeft
{
    /// <summary>Throws when <paramref name="reader"/>'s stream holds fewer than <paramref name="count"/> ×
    /// <paramref name="bytesEach"/> bytes after its position (a stream that cannot seek is not checked).</summary>
    public static void Require(BinaryReader reader, long count, long bytesEach, string what)
    {
        Stream stream = reader.BaseStream;
        if (!stream.CanSeek || count <= 0 || bytesEach <= 0)
            return;
        long left = stream.Length - stream.Position;
        if (count > left / bytesEach)
            throw new InvalidDataException($"{what} claims {count} entries of at least {bytesEach} bytes each, but only {left} bytes are left in the block");
    }
}
