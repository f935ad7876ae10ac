using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.TrainingData;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// What must be the same for a resumed run to continue the original one: the network, the seed, the data's shape
/// and a fingerprint of its content, and every option that changes what training computes (by name, so a refusal
/// can say which one differs).
/// </summary>
internal sealed record RunIdentity(NetworkArchitecture Architecture, int Seed, int TrainRows, int ValidationRows, int BatchSize, int MaxEpochs,
    IReadOnlyList<KeyValuePair<string, string>> TrainingOptions, string DataFingerprint)
{
    public static RunIdentity Of(Seq2SeqOptions options, NetworkArchitecture architecture, int seed, int batchSize,
        ISequenceRows train, ISequenceRows? validation) =>
        new(architecture, seed, train.Count, validation?.Count ?? 0, batchSize, options.MaxEpochs, OptionsOf(options),
            Fingerprint(train, validation));

    /// <summary>The options that change what training computes, as invariant text (micro-batching, devices, logging and
    /// checkpoint settings are left out: they do not change the result).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> OptionsOf(Seq2SeqOptions o)
    {
        static string Text(object? value) => value switch
        {
            null => "unset",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        // The keys are the names these options had when checkpoint format 5 began recording them (before the option
        // groups), so that checkpoints written then still resume; DisplayName gives each its path today.
        return new (string, object?)[]
        {
            (nameof(o.LearningRate), o.LearningRate), (nameof(o.LearningRateScaling), o.LearningRateScaling), (nameof(o.ReferenceBatchSize), o.ReferenceBatchSize),
            ("Schedule", o.Schedule.Kind), ("OneCyclePctStart", o.Schedule.OneCyclePctStart), ("OneCycleDivFactor", o.Schedule.OneCycleDivFactor),
            ("OneCycleFinalDivFactor", o.Schedule.OneCycleFinalDivFactor), ("WarmupFraction", o.Schedule.WarmupFraction), ("PlateauPatience", o.Schedule.PlateauPatience),
            ("PlateauFactor", o.Schedule.PlateauFactor), (nameof(o.WeightDecay), o.WeightDecay), (nameof(o.GradientClipNorm), o.GradientClipNorm),
            (nameof(o.TeacherForcingRatio), o.TeacherForcingRatio), (nameof(o.TeacherForcingRatioEnd), o.TeacherForcingRatioEnd), (nameof(o.Loss), o.Loss),
            (nameof(o.HuberDelta), o.HuberDelta), ("EarlyStoppingMetric", o.EarlyStopping.Metric), ("EarlyStoppingPatience", o.EarlyStopping.Patience),
            ("EarlyStoppingMinDelta", o.EarlyStopping.MinDelta), (nameof(o.SkipNonFiniteSteps), o.SkipNonFiniteSteps), (nameof(o.NonFiniteRows), o.NonFiniteRows),
            (nameof(o.ValidationFraction), o.ValidationFraction), (nameof(o.ValidationGapRows), o.ValidationGapRows),
        }.Concat(o.Quantiles is null ? Array.Empty<(string, object?)>() : new (string, object?)[] { ("PointLossWeight", o.Quantiles.PointLossWeight) }) // point-only runs keep format-5 identities
         // Only augmented runs name the stretch, so that earlier checkpoints keep their identities.
         .Concat(o.AmplitudeAugmentation == 1 ? Array.Empty<(string, object?)>() : new (string, object?)[] { (nameof(o.AmplitudeAugmentation), o.AmplitudeAugmentation) })
         // Only streamed runs name the pool (it sets the order of the rows), so in-memory checkpoints keep their identities and
         // neither kind resumes as the other.
         .Concat(o.Streaming is null ? Array.Empty<(string, object?)>() : new (string, object?)[] { ("StreamingShufflePoolRows", o.Streaming.ShufflePoolRows) })
         .Select(p => new KeyValuePair<string, string>(p.Item1, Text(p.Item2))).ToArray();
    }

    /// <summary>The option path a recorded key names today ("PlateauPatience" is Schedule.PlateauPatience); other keys are paths already.</summary>
    private static string DisplayName(string key) => key switch
    {
        "Schedule" => "Schedule.Kind",
        "OneCyclePctStart" or "OneCycleDivFactor" or "OneCycleFinalDivFactor" or "WarmupFraction" or "PlateauPatience" or "PlateauFactor" => "Schedule." + key,
        "EarlyStoppingMetric" or "EarlyStoppingPatience" or "EarlyStoppingMinDelta" => "EarlyStopping." + key["EarlyStopping".Length..],
        "PointLossWeight" => "Quantiles.PointLossWeight",
        "StreamingShufflePoolRows" => "Streaming.ShufflePoolRows",
        _ => key,
    };

    /// <summary>The first 16 bytes (hex) of a SHA-256 over the row counts, shapes and <see cref="RowFingerprint.SampledRows"/> sampled rows of
    /// features, labels and lengths of each data set: cheap (two small device reads), and any edit of a sampled row shows.</summary>
    public static string Fingerprint(SequenceDataset train, SequenceDataset? validation) =>
        Fingerprint(new InMemorySequenceRows(train), validation is null ? null : new InMemorySequenceRows(validation));

    /// <summary>The fingerprint of any kind of rows; in-memory rows hash as <see cref="RowFingerprint.Append"/> says.</summary>
    public static string Fingerprint(ISequenceRows train, ISequenceRows? validation)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (ISequenceRows? data in new[] { train, validation })
        {
            if (data is null)
                hash.AppendData(BitConverter.GetBytes(-1L));
            else
                data.AppendFingerprint(hash);
        }
        return Convert.ToHexString(hash.GetHashAndReset().AsSpan(0, 16));
    }

    /// <summary>"name: A in the checkpoint, B in this run" for the first field that differs from <paramref name="run"/>; null when none does.</summary>
    public string? FirstDifference(RunIdentity run)
    {
        var fields = new List<(string Name, string Checkpoint, string Run)>
        {
            ("network", Architecture.ToString(), run.Architecture.ToString()),
            ("Seed", Seed.ToString(CultureInfo.InvariantCulture), run.Seed.ToString(CultureInfo.InvariantCulture)),
            ("training rows", TrainRows.ToString(CultureInfo.InvariantCulture), run.TrainRows.ToString(CultureInfo.InvariantCulture)),
            ("validation rows", ValidationRows.ToString(CultureInfo.InvariantCulture), run.ValidationRows.ToString(CultureInfo.InvariantCulture)),
            ("effective batch", BatchSize.ToString(CultureInfo.InvariantCulture), run.BatchSize.ToString(CultureInfo.InvariantCulture)),
            ("MaxEpochs", MaxEpochs.ToString(CultureInfo.InvariantCulture), run.MaxEpochs.ToString(CultureInfo.InvariantCulture)),
        };
        var mine = TrainingOptions.ToDictionary(p => p.Key, p => p.Value);
        var theirs = run.TrainingOptions.ToDictionary(p => p.Key, p => p.Value);
        foreach (string name in mine.Keys.Union(theirs.Keys))
            fields.Add((DisplayName(name), mine.GetValueOrDefault(name, "absent"), theirs.GetValueOrDefault(name, "absent")));
        fields.Add(("data (a fingerprint of the row counts and sampled rows of the training and validation data)", DataFingerprint, run.DataFingerprint));
        foreach (var (name, checkpoint, current) in fields)
        {
            if (checkpoint != current)
                return $"{name}: {checkpoint} in the checkpoint, {current} in this run";
        }
        return null;
    }

    // *** Binary format *** (inside a checkpoint): architecture; int seed, train rows, validation rows, batch, max epochs;
    // then (format 5 on) int option count, (string name, string value) each; string data fingerprint.
    public void Write(BinaryWriter writer)
    {
        Architecture.Write(writer);
        writer.Write(Seed);
        writer.Write(TrainRows);
        writer.Write(ValidationRows);
        writer.Write(BatchSize);
        writer.Write(MaxEpochs);
        writer.Write(TrainingOptions.Count);
        foreach (var (name, value) in TrainingOptions)
        {
            writer.Write(name);
            writer.Write(value);
        }
        writer.Write(DataFingerprint);
    }

    /// <summary>Reads what <see cref="Write"/> wrote; a checkpoint format before 5 has no options or fingerprint, and is
    /// read with empty ones (so resuming from it names the first option as different).</summary>
    public static RunIdentity Read(BinaryReader reader, int checkpointFormat)
    {
        var architecture = NetworkArchitecture.Read(reader, checkpointFormat switch
        {
            >= 9 => ArchitectureRevision.FamilyFields,
            8 => ArchitectureRevision.Lookback,
            7 => ArchitectureRevision.FutureFeatures,
            >= 6 => ArchitectureRevision.Quantiles,
            >= 4 => ArchitectureRevision.Forecasting,
            _ => ArchitectureRevision.Recurrent,
        });
        int seed = reader.ReadInt32(), trainRows = reader.ReadInt32(), validationRows = reader.ReadInt32(), batch = reader.ReadInt32(), maxEpochs = reader.ReadInt32();
        if (checkpointFormat < 5)
            return new RunIdentity(architecture, seed, trainRows, validationRows, batch, maxEpochs, Array.Empty<KeyValuePair<string, string>>(), "not recorded (checkpoint format " + checkpointFormat + ")");
        int count = reader.ReadInt32();
        if (count < 0 || count > 1000)
            throw new InvalidDataException($"an option count of {count} is not plausible");
        var options = new KeyValuePair<string, string>[count];
        for (int i = 0; i < count; i++)
            options[i] = new KeyValuePair<string, string>(reader.ReadString(), reader.ReadString());
        return new RunIdentity(architecture, seed, trainRows, validationRows, batch, maxEpochs, options, reader.ReadString());
    }

    public override string ToString() =>
        $"seed {Seed}, {TrainRows} training rows, {ValidationRows} validation rows, batch {BatchSize}, {MaxEpochs} max epochs, data {DataFingerprint}, {Architecture}";
}
