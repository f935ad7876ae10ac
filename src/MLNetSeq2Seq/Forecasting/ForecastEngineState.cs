using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using MLNetSeq2Seq.Windows;

namespace MLNetSeq2Seq.Forecasting;

/// <summary>
/// What a <see cref="Seq2SeqForecastEngine"/> remembers: the last L observations of the input columns (raw values,
/// oldest first), how many were observed, and the last timestamp and step. Its own small binary format, checksummed.
/// </summary>
internal sealed class ForecastEngineState
{
    // Format history:
    //   1  initial: columns, input length, observations, count, timestamps; SHA-256 of everything before it.
    private const string Magic = "MLNS2SFE";
    private const int Version = 1;

    private readonly string[] _columnNames;
    private readonly float[] _window;

    public ForecastEngineState(IReadOnlyList<string> columnNames, int inputLength, string? timestampColumnName)
    {
        _columnNames = columnNames.ToArray();
        InputLength = inputLength;
        TimestampColumnName = timestampColumnName;
        _window = new float[inputLength * _columnNames.Length];
    }

    public IReadOnlyList<string> ColumnNames => _columnNames;

    public int InputLength { get; }

    public string? TimestampColumnName { get; }

    public long ObservationCount { get; private set; }

    public DateTime? LastTimestamp { get; private set; }

    public TimeSpan? Step { get; private set; }

    /// <summary>A copy of the last L observations, time-major.</summary>
    public float[] Window() => (float[])_window.Clone();

    /// <summary>Appends rows (checked first: nothing changes when a timestamp is wrong).</summary>
    public void Append(SeriesTable rows)
    {
        int width = _columnNames.Length, count = rows.RowCount;
        if (count == 0)
            return;
        DateTime? last = LastTimestamp;
        TimeSpan? step = Step;
        if (TimestampColumnName is string column)
        {
            for (int r = 0; r < count; r++)
            {
                DateTime time = rows.PassThrough!.TimestampAt(r)
                    ?? throw new ArgumentException($"Timestamp column '{column}' row {r} holds '{rows.PassThrough.Describe(r)}', which is not a time "
                        + "(DateTime, DateTimeOffset, or text DateTime.Parse reads with the invariant culture).", "rows");
                if (last is DateTime previous)
                {
                    if (time <= previous)
                        throw new ArgumentException($"Timestamp column '{column}' row {r} holds {time:O}, not after the previous observation's {previous:O}: observe rows in time order, each once.", "rows");
                    step = time - previous;
                }
                last = time;
            }
        }
        ReadOnlySpan<float> values = rows.Values;
        if (count >= InputLength)
            values.Slice((count - InputLength) * width, InputLength * width).CopyTo(_window);
        else
        {
            // Shift the window left by count steps and put the new rows at its end.
            Array.Copy(_window, count * width, _window, 0, (InputLength - count) * width);
            values.CopyTo(_window.AsSpan((InputLength - count) * width));
        }
        ObservationCount += count;
        LastTimestamp = last;
        Step = step;
    }

    // *** Binary format ***
    // 8 ASCII bytes "MLNS2SFE"; int: version (1)
    // int: input length L; int: F, then F strings (the input columns)
    // long: observation count; L × F floats: the last L observations, oldest first, raw values
    // bool: has a timestamp column; if so string: its name, bool: has a last timestamp; if so long: its ticks, int: its DateTimeKind,
    //   and bool: has a step; if so long: its ticks
    // 32 bytes: SHA-256 of every byte before it
    public void Write(Stream stream)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write(Version);
            writer.Write(InputLength);
            writer.Write(_columnNames.Length);
            foreach (string name in _columnNames)
                writer.Write(name);
            writer.Write(ObservationCount);
            foreach (float value in _window)
                writer.Write(value);
            writer.Write(TimestampColumnName is not null);
            if (TimestampColumnName is not null)
            {
                writer.Write(TimestampColumnName);
                writer.Write(LastTimestamp is not null);
                if (LastTimestamp is DateTime last)
                {
                    writer.Write(last.Ticks);
                    writer.Write((int)last.Kind);
                }
                writer.Write(Step is not null);
                if (Step is TimeSpan step)
                    writer.Write(step.Ticks);
            }
        }
        byte[] body = buffer.ToArray();
        stream.Write(body);
        stream.Write(SHA256.HashData(body));
    }

    public static ForecastEngineState Read(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        byte[] all = copy.ToArray();
        if (all.Length < Magic.Length + 4 + 32 || Encoding.ASCII.GetString(all, 0, Magic.Length) != Magic)
            throw new InvalidDataException("This is not a forecast engine state (it does not start with the engine's signature).");
        byte[] body = all[..^32];
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(all.AsSpan(all.Length - 32)))
            throw new InvalidDataException("The forecast engine state is damaged: its SHA-256 checksum does not match its contents.");
        using var reader = new BinaryReader(new MemoryStream(body, Magic.Length, body.Length - Magic.Length), Encoding.UTF8);
        int version = reader.ReadInt32();
        if (version != Version)
            throw new InvalidDataException($"The forecast engine state has format version {version}; this version of MLNetSeq2Seq reads version {Version}.");
        int length = reader.ReadInt32(), width = reader.ReadInt32();
        if (length <= 0 || width <= 0 || (long)length * width > body.Length)
            throw new InvalidDataException($"The forecast engine state claims {length} steps of {width} columns.");
        var names = new string[width];
        for (int i = 0; i < width; i++)
            names[i] = reader.ReadString();
        long count = reader.ReadInt64();
        string? timestampColumn = null;
        var state = new ForecastEngineState(names, length, null);
        for (int i = 0; i < state._window.Length; i++)
            state._window[i] = reader.ReadSingle();
        DateTime? last = null;
        TimeSpan? step = null;
        if (reader.ReadBoolean())
        {
            timestampColumn = reader.ReadString();
            if (reader.ReadBoolean())
                last = new DateTime(reader.ReadInt64(), (DateTimeKind)reader.ReadInt32());
            if (reader.ReadBoolean())
                step = new TimeSpan(reader.ReadInt64());
        }
        if (reader.BaseStream.Position != reader.BaseStream.Length)
            throw new InvalidDataException("The forecast engine state has bytes after its end.");
        var result = new ForecastEngineState(names, length, timestampColumn) { ObservationCount = count, LastTimestamp = last, Step = step };
        state._window.CopyTo(result._window, 0);
        return result;
    }
}
