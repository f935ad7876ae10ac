using System;
using System.IO;
using System.Linq;

namespace MLNetSeq2Seq.Networks;

/// <summary>
/// Everything needed to rebuild the network before loading its weights: the single source of truth for what a saved
/// model computes. Saved with the model and in checkpoints. TargetInputIndices: for each output feature, the input
/// feature it forecasts (used by instance normalisation and channel independence); null or empty when neither needs it.
/// Lookback: the number of input steps the family's weights are shaped for (a family whose weights span the whole
/// look-back window, such as a linear map over it); 0 when the family reads any number of steps. FamilyFields: the
/// family's own fields beyond these (<see cref="IFamilyArchitectureFields"/>), null for a family that has none.
/// </summary>
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
    bool ResidualDecoding = false,
    NetworkFamily Family = NetworkFamily.AutoregressiveEncoderDecoder,
    int SegmentLength = 1,
    InstanceNormalization Normalization = InstanceNormalization.None,
    bool NormalizationAffine = false,
    bool ChannelIndependent = false,
    int[]? TargetInputIndices = null,
    double[]? QuantileLevels = null,
    int FutureFeatureCount = 0,
    int Lookback = 0,
    IFamilyArchitectureFields? FamilyFields = null)
{
    // Upper bounds that no real model reaches; a damaged file is caught before any allocation.
    private const int MaxCount = 1 << 20;

    /// <summary>The most bytes a family's own fields may take in a stored record.</summary>
    public const int MaxFamilyFieldBytes = 4096;

    /// <summary>The target mapping, never null.</summary>
    public int[] Targets => TargetInputIndices ?? Array.Empty<int>();

    /// <summary>The forecast quantile levels (strictly increasing, in (0, 1)), never null; empty for point-only models.</summary>
    public double[] Quantiles => QuantileLevels ?? Array.Empty<double>();

    /// <summary>The registered family this architecture builds.</summary>
    public INetworkFamily FamilyDescriptor => NetworkFamilies.Get(Family);

    /// <summary>The architecture Fit builds. <paramref name="inputLength"/>: the training windows' number of steps, null
    /// when they differ; a family that shapes its weights by it keeps it as <see cref="Lookback"/>, the others set 0.</summary>
    public static NetworkArchitecture From(Seq2SeqOptions options, int inputFeatureCount, int outputFeatureCount, int horizon, int[]? targetInputIndices, bool channelIndependent, int? inputLength) =>
        NetworkFamilies.Get(options.Family).WithFamilyFields(
            new(inputFeatureCount, outputFeatureCount, horizon, options.HiddenSize, options.LayerCount, options.Cell,
                Bidirectional: false, AttentionKind.None, options.Dropout, ResidualDecoding: false,
                options.Family, SegmentLength: 1,
                options.InstanceNormalization, options.InstanceNormalization == InstanceNormalization.Standardize && options.InstanceNormalizationAffine,
                channelIndependent, targetInputIndices, options.Quantiles is null ? null : (double[])options.Quantiles.Levels.Clone(),
                Lookback: inputLength ?? 0),
            options);

    /// <summary>Values per step the family itself sees: one when channels are independent.</summary>
    public (int Inputs, int Outputs) FamilyFeatureCounts => ChannelIndependent ? (1, 1) : (InputFeatureCount, OutputFeatureCount);

    /// <summary>
    /// A lower bound of the weights' size in bytes (float32) from the largest matrices of the family. Checked against a
    /// saved model's weights before the network is built, so that a damaged architecture cannot make the loader
    /// allocate and initialise a huge network.
    /// </summary>
    public double MinimumWeightBytes() => FamilyDescriptor.MinimumWeightBytes(this);

    /// <summary>
    /// Binary format: int F, int O, int H, int hidden, int layers, int cell, bool bidirectional, int attention, double dropout,
    /// bool residual decoding; then (model format 0x00010004, checkpoint format 4 and later) int family, int segment length,
    /// int instance normalisation, bool affine, bool channel independent, int target count, target count × int input index;
    /// then (model format 0x00010007, checkpoint format 6 and later) int quantile count, quantile count × double level;
    /// then (model format 0x00010009, checkpoint format 7 and later) int known-future features per step (K, 0 for none);
    /// then (model format 0x0001000B, checkpoint format 8 and later) int lookback (0: any number of steps);
    /// then (model format 0x0001000C, checkpoint format 9 and later) int byte count (0 to <see cref="MaxFamilyFieldBytes"/>)
    /// and that many bytes: the family's own fields as <see cref="IFamilyArchitectureFields.Write"/> wrote them (0 bytes
    /// for a family without any).
    /// </summary>
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
        writer.Write((int)Family);
        writer.Write(SegmentLength);
        writer.Write((int)Normalization);
        writer.Write(NormalizationAffine);
        writer.Write(ChannelIndependent);
        writer.Write(Targets.Length);
        foreach (int index in Targets)
            writer.Write(index);
        writer.Write(Quantiles.Length);
        foreach (double level in Quantiles)
            writer.Write(level);
        writer.Write(FutureFeatureCount);
        writer.Write(Lookback);
        using var block = new MemoryStream();
        using (var blockWriter = new BinaryWriter(block, System.Text.Encoding.UTF8, leaveOpen: true))
            FamilyFields?.Write(blockWriter);
        writer.Write((int)block.Length);
        writer.Write(block.GetBuffer(), 0, (int)block.Length);
    }

    /// <summary>Reads what <see cref="Write"/> wrote, in the same order, rejecting values out of range. An older
    /// <paramref name="revision"/> reads the record as it was written then (see <see cref="ArchitectureRevision"/>): the
    /// fields it lacks keep their neutral values (autoregressive, no normalisation, no quantiles, K = 0, lookback 0, no
    /// family fields).</summary>
    public static NetworkArchitecture Read(BinaryReader reader, ArchitectureRevision revision = ArchitectureRevision.FamilyFields)
    {
        NetworkArchitecture architecture = ReadFields(reader, revision);
        if (revision >= ArchitectureRevision.Forecasting && NetworkFamilies.Read(architecture.Family).WhyInvalid(architecture) is string invalid)
            throw new InvalidDataException(invalid);
        return architecture;
    }

    private static NetworkArchitecture ReadFields(BinaryReader reader, ArchitectureRevision revision)
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
        if (revision < ArchitectureRevision.Forecasting)
            return architecture;
        NetworkFamily family = ReadEnum<NetworkFamily>(reader, "network family");
        NetworkFamilies.Read(family); // an unknown family stops the read here
        architecture = architecture with
        {
            Family = family,
            SegmentLength = ReadCount(reader, "segment length"),
            Normalization = ReadEnum<InstanceNormalization>(reader, "instance normalisation"),
            NormalizationAffine = reader.ReadBoolean(),
            ChannelIndependent = reader.ReadBoolean(),
        };
        int targetCount = reader.ReadInt32();
        if (targetCount != 0 && targetCount != architecture.OutputFeatureCount)
            throw new InvalidDataException($"target mapping holds {targetCount} entries, but the network has {architecture.OutputFeatureCount} outputs");
        var targets = new int[targetCount];
        for (int i = 0; i < targetCount; i++)
        {
            targets[i] = reader.ReadInt32();
            if (targets[i] < 0 || targets[i] >= architecture.InputFeatureCount)
                throw new InvalidDataException($"output {i} forecasts input {targets[i]}, outside [0, {architecture.InputFeatureCount})");
        }
        if (targetCount == 0 && (architecture.ChannelIndependent || architecture.Normalization != InstanceNormalization.None))
            throw new InvalidDataException("instance normalisation or channel independence without a target mapping");
        architecture = architecture with { TargetInputIndices = targets };
        if (revision < ArchitectureRevision.Quantiles)
            return architecture;
        int quantileCount = reader.ReadInt32();
        if (quantileCount < 0 || quantileCount > Seq2SeqOptions.MaxQuantileCount)
            throw new InvalidDataException($"quantile count {quantileCount} is outside [0, {Seq2SeqOptions.MaxQuantileCount}]");
        var levels = new double[quantileCount];
        for (int k = 0; k < quantileCount; k++)
        {
            levels[k] = reader.ReadDouble();
            if (!(levels[k] > 0 && levels[k] < 1) || (k > 0 && !(levels[k] > levels[k - 1])))
                throw new InvalidDataException($"quantile level {k} = {levels[k]} is outside (0, 1) or not above the one before");
        }
        architecture = architecture with { QuantileLevels = levels };
        if (revision < ArchitectureRevision.FutureFeatures)
            return architecture;
        int future = reader.ReadInt32();
        if (future < 0 || future > MaxCount)
            throw new InvalidDataException($"known-future feature count {future} is outside [0, {MaxCount}]");
        architecture = architecture with { FutureFeatureCount = future };
        if (revision < ArchitectureRevision.Lookback)
            return architecture;
        int lookback = reader.ReadInt32();
        if (lookback < 0 || lookback > MaxCount)
            throw new InvalidDataException($"lookback {lookback} is outside [0, {MaxCount}]");
        architecture = architecture with { Lookback = lookback };
        if (revision < ArchitectureRevision.FamilyFields)
            return architecture;
        return architecture with { FamilyFields = ReadFamilyFields(reader, NetworkFamilies.Read(family)) };
    }

    // The family's block: its length checked before anything is read, then parsed by the family, which must use all of it.
    private static IFamilyArchitectureFields? ReadFamilyFields(BinaryReader reader, INetworkFamily family)
    {
        int length = reader.ReadInt32();
        if (length < 0 || length > MaxFamilyFieldBytes)
            throw new InvalidDataException($"the {family.Id} family's fields take {length} bytes, outside [0, {MaxFamilyFieldBytes}]");
        byte[] bytes = reader.ReadBytes(length);
        if (bytes.Length != length)
            throw new InvalidDataException($"the {family.Id} family's fields are cut off: {bytes.Length} of {length} bytes present");
        using var block = new BinaryReader(new MemoryStream(bytes, writable: false));
        IFamilyArchitectureFields? fields;
        try
        {
            fields = family.ReadFields(block);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"the {family.Id} family's fields are shorter than the family reads ({length} bytes)");
        }
        if (block.BaseStream.Position != length)
            throw new InvalidDataException($"the {family.Id} family's fields hold {length - block.BaseStream.Position} bytes more than the family reads");
        return fields;
    }

    public bool Equals(NetworkArchitecture? other) =>
        other is not null && EqualityContract == other.EqualityContract
        && (InputFeatureCount, OutputFeatureCount, Horizon, HiddenSize, LayerCount, Cell, Bidirectional, Attention, Dropout, ResidualDecoding)
            == (other.InputFeatureCount, other.OutputFeatureCount, other.Horizon, other.HiddenSize, other.LayerCount, other.Cell, other.Bidirectional, other.Attention, other.Dropout, other.ResidualDecoding)
        && (Family, SegmentLength, Normalization, NormalizationAffine, ChannelIndependent) == (other.Family, other.SegmentLength, other.Normalization, other.NormalizationAffine, other.ChannelIndependent)
        && Targets.SequenceEqual(other.Targets) && Quantiles.SequenceEqual(other.Quantiles) && FutureFeatureCount == other.FutureFeatureCount
        && Lookback == other.Lookback && Equals(FamilyFields, other.FamilyFields);

    public override int GetHashCode() => HashCode.Combine(InputFeatureCount, OutputFeatureCount, Horizon, HiddenSize, Family, Normalization, ChannelIndependent, Targets.Length);

    public override string ToString() =>
        $"{Family} {Cell} F={InputFeatureCount} O={OutputFeatureCount} H={Horizon} hidden={HiddenSize} layers={LayerCount}"
        + FamilyDescriptor.DescribeFields(this)
        + $" dropout={Dropout} normalisation={Normalization}{(NormalizationAffine ? "+affine" : "")} channel-independent={ChannelIndependent}"
        + (Targets.Length > 0 ? $" targets=[{string.Join(",", Targets)}]" : "")
        + (Quantiles.Length > 0 ? FormattableString.Invariant($" quantiles=[{string.Join(",", Quantiles)}]") : "")
        + (FutureFeatureCount > 0 ? $" future={FutureFeatureCount}" : "")
        + (Lookback > 0 ? $" lookback={Lookback}" : "")
        + (FamilyFields?.Describe() ?? "");

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
