using System;
using System.IO;
using System.Security.Cryptography;
using Microsoft.ML;

namespace MLNetSeq2Seq.MLNetInterop;

/// <summary>
/// Reads one component written by <see cref="ModelWriter"/>: checks the versioned header, then hands the body and
/// the named binary streams to the component's loader. Any damage surfaces as a <see cref="FormatException"/>
/// naming the component, never as a crash. (ML.NET calls a component's loader by reflection, so users see it as the
/// inner exception of a <see cref="System.Reflection.TargetInvocationException"/>.)
/// </summary>
internal sealed class ModelReader
{
    private readonly ModelLoadContext _context;

    private ModelReader(ModelLoadContext context, ModelFormat format)
    {
        _context = context;
        Format = format;
    }

    /// <summary>The body reader, positioned after the header.</summary>
    public BinaryReader Reader => _context.Reader;

    /// <summary>The format this reader was opened with.</summary>
    public ModelFormat Format { get; }

    /// <summary>The format version the model was written with (between Format.OldestReadableVersion and Format.CurrentVersion).</summary>
    public uint WrittenVersion => _context.Header.ModelVerWritten;

    /// <summary>Loads a component: checks the header against <paramref name="format"/>, then runs <paramref name="readBody"/>.</summary>
    public static T Load<T>(ModelLoadContext context, ModelFormat format, Func<ModelReader, T> readBody)
    {
        ArgumentNullException.ThrowIfNull(context);
        CheckVersion(context, format);
        try
        {
            context.CheckAtModel(format.ToVersionInfo());
        }
        catch (FormatException ex)
        {
            throw new FormatException($"The {format.LoaderSignature} model's header is damaged: {ex.Message}", ex);
        }
        try
        {
            return readBody(new ModelReader(context, format));
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or InvalidDataException or ArgumentException or OverflowException or OutOfMemoryException)
        {
            throw new FormatException($"The {format.LoaderSignature} model is damaged and cannot be loaded: {ex.Message}", ex);
        }
    }

    /// <summary>A model of this component written by newer or much older code gets a message that says so and what
    /// to do (ML.NET's own names ML.NET's version, which is not the one that matters here).</summary>
    private static void CheckVersion(ModelLoadContext context, ModelFormat format)
    {
        ModelHeader header = context.Header;
        if (header.ModelSignature != format.ToVersionInfo().ModelSignature)
            return; // not ours at all: ML.NET's check below says so
        string library = format.ComponentType.Assembly.GetName().Name!;
        string reads = $"this {library} reads formats 0x{format.OldestReadableVersion:X8} to 0x{format.CurrentVersion:X8}";
        if (header.ModelVerReadable > format.CurrentVersion)
            throw new FormatException($"The {format.LoaderSignature} model was written by a newer {library} (model format 0x{header.ModelVerWritten:X8}, "
                + $"readable from format 0x{header.ModelVerReadable:X8} on); {reads}. Update the {library} package to load it.");
        if (header.ModelVerWritten < format.OldestReadableVersion)
            throw new FormatException($"The {format.LoaderSignature} model was written by an older {library} (model format 0x{header.ModelVerWritten:X8}); "
                + $"{reads}. Load it with the version that wrote it, or train the model again.");
    }

    /// <summary>Reads a named binary stream; a missing stream is a <see cref="FormatException"/>.</summary>
    public void ReadStream(string name, Action<Stream> read)
    {
        bool found = _context.TryLoadBinaryStream(name, reader => read(reader.BaseStream));
        if (!found)
            throw new FormatException($"The {Format.LoaderSignature} model has no '{name}' stream; the file is incomplete or was written by another component.");
    }

    /// <summary>
    /// Reads a block written by <see cref="ModelWriter.WriteCheckedBlock"/> from the body — its length (at most what is
    /// left of the body), its bytes and their SHA-256, which must match — and parses it with <paramref name="read"/>,
    /// which must consume it exactly. Nothing of a damaged block is parsed.
    /// </summary>
    public T ReadCheckedBlock<T>(Func<BinaryReader, T> read)
    {
        Stream body = Reader.BaseStream;
        long limit = body.CanSeek ? body.Length - body.Position : Array.MaxLength;
        byte[] block = ReadChecked(Reader, limit, "the model body");
        using var reader = new BinaryReader(new MemoryStream(block, writable: false));
        T result = read(reader);
        if (reader.BaseStream.Position != block.Length)
            throw new InvalidDataException($"{block.Length - reader.BaseStream.Position} bytes of the model body were not read");
        return result;
    }

    /// <summary>Reads a named stream written by <see cref="ModelWriter.WriteCheckedStream"/>: a checked block of at most
    /// <paramref name="maxLength"/> bytes, and nothing after it.</summary>
    public byte[] ReadCheckedStream(string name, long maxLength)
    {
        byte[]? bytes = null;
        ReadStream(name, stream =>
        {
            using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            bytes = ReadChecked(reader, maxLength, $"stream '{name}'");
            if (stream.ReadByte() != -1)
                throw new InvalidDataException($"stream '{name}' goes on after its checksum");
        });
        return bytes!;
    }

    private static byte[] ReadChecked(BinaryReader reader, long maxLength, string what)
    {
        long length = reader.ReadInt64();
        if (length < 0 || length > Math.Min(maxLength, Array.MaxLength))
            throw new InvalidDataException($"{what} claims {length} bytes, more than the {Math.Min(maxLength, Array.MaxLength)} it can hold");
        // Read in chunks rather than allocating the claimed length up front: memory follows the bytes really there.
        using var content = new MemoryStream();
        byte[] chunk = new byte[81920];
        for (long left = length; left > 0;)
        {
            int read = reader.Read(chunk, 0, (int)Math.Min(chunk.Length, left));
            if (read == 0)
                break;
            content.Write(chunk, 0, read);
            left -= read;
        }
        byte[] block = content.ToArray();
        byte[] checksum = reader.ReadBytes(SHA256.HashSizeInBytes);
        if (block.Length != length || checksum.Length != SHA256.HashSizeInBytes)
            throw new InvalidDataException($"{what} ends early: the file is truncated");
        if (!SHA256.HashData(block).AsSpan().SequenceEqual(checksum))
            throw new InvalidDataException($"{what} fails its SHA-256 check: the file was damaged after it was written");
        return block;
    }

    /// <summary>Reads a string written by <see cref="ModelWriter.WriteNonEmptyString"/>: its id from the body, the text
    /// from the string table. An id outside the table or an empty string is damage, reported as <paramref name="what"/>.</summary>
    public string ReadNonEmptyString(string what)
    {
        try
        {
            return _context.LoadNonEmptyString();
        }
        catch (FormatException ex)
        {
            // ML.NET's own message is only "Corrupt model file": say which value is damaged.
            throw new InvalidDataException($"the {what} is damaged: its string table entry is missing or empty", ex);
        }
    }

    /// <summary>Reads an array of floats written by <see cref="ModelWriter.WriteFloats"/>; <paramref name="maxLength"/> guards against a damaged length.</summary>
    public float[] ReadFloats(int maxLength)
    {
        int length = Reader.ReadInt32();
        if (length < 0 || length > maxLength)
            throw new InvalidDataException($"an array length of {length} is outside [0, {maxLength}]");
        BytesLeft.Require(Reader, length, 4, "an array of floats");
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = Reader.ReadSingle();
        return values;
    }
}
