using System;
using System.IO;

namespace MLNetSeq2Seq.Networks;

/// <summary>Everything needed to rebuild the network before loading its weights. Saved with the model.</summary>
internal sealed record NetworkArchitecture(
    int InputFeatureCount,
    int OutputFeatureCount,
    int Horizon,
    int HiddenSize,
    int LayerCount,
    RecurrentCellType Cell,
    bool Bidirectional,
    AttentionKind Attention,
    double Dropout,
    bool ResidualDecoding = false)
{
    // Upper bounds that no real model reaches; a damaged file is caught before any allocation.
    private const int MaxCount = 1 << 20;

    public static NetworkArchitecture From(Seq2SeqOptions options, int inputFeatureCount, int outputFeatureCount, int horizon) =>
        new(inputFeatureCount, outputFeatureCount, horizon, options.HiddenSize, options.LayerCount, options.Cell,
            options.Bidirectional, options.Attention, options.Dropout, options.ResidualDecoding);

    /// <summary>
    /// A lower bound of the weights' size in bytes: the first layers' input and recurrent matrices of the encoder and
    /// decoder, every further layer's recurrent matrices, the start projection and the head (float32). Checked against
    /// a saved model's weights before the network is built, so that a damaged architecture cannot make the loader
    /// allocate and initialise a huge network.
    /// </summary>
    public double MinimumWeightBytes()
    {
        double gates = Cell == RecurrentCellType.Lstm ? 4 : 3, h = HiddenSize;
        double recurrent = gates * h * (InputFeatureCount + h) + gates * h * (OutputFeatureCount + h) + 2 * (LayerCount - 1) * gates * h * h;
        return 4 * (recurrent + h * OutputFeatureCount + (double)InputFeatureCount * OutputFeatureCount);
    }

    /// <summary>Binary format: int F, int O, int H, int hidden, int layers, int cell, bool bidirectional, int attention, double dropout, bool residual decoding.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(InputFeatureCount);
        writer.Write(OutputFeatureCount);
        writer.Write(Horizon);
        writer.Write(HiddenSize);
        writer.Write(LayerCount);
        writer.Write((int)Cell);
        writer.Write(Bidirectional);
        writer.Write((int)Attention);
        writer.Write(Dropout);
        writer.Write(ResidualDecoding);
    }

    /// <summary>Reads what <see cref="Write"/> wrote, in the same order, rejecting values out of range.</summary>
    public static NetworkArchitecture Read(BinaryReader reader)
    {
        var architecture = new NetworkArchitecture(
            InputFeatureCount: ReadCount(reader, "input feature count"),
            OutputFeatureCount: ReadCount(reader, "output feature count"),
            Horizon: ReadCount(reader, "horizon"),
            HiddenSize: ReadCount(reader, "hidden size"),
            LayerCount: ReadCount(reader, "layer count"),
            Cell: ReadEnum<RecurrentCellType>(reader, "cell"),
            Bidirectional: reader.ReadBoolean(),
            Attention: ReadEnum<AttentionKind>(reader, "attention"),
            Dropout: reader.ReadDouble(),
            ResidualDecoding: reader.ReadBoolean());
        if (!(architecture.Dropout >= 0 && architecture.Dropout < 1))
            throw new InvalidDataException($"dropout {architecture.Dropout} is outside [0, 1)");
        return architecture;
    }

    private static int ReadCount(BinaryReader reader, string what)
    {
        int value = reader.ReadInt32();
        if (value <= 0 || value > MaxCount)
            throw new InvalidDataException($"{what} {value} is outside [1, {MaxCount}]");
        return value;
    }

    private static TEnum ReadEnum<TEnum>(BinaryReader reader, string what) where TEnum : struct, Enum
    {
        int value = reader.ReadInt32();
        var result = (TEnum)(object)value;
        if (!Enum.IsDefined(result))
            throw new InvalidDataException($"{what} {value} is not a known {typeof(TEnum).Name}");
        return result;
    }
}
