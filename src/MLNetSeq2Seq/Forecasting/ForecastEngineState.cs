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
/// Every read and change takes one lock, so an engine may be called from several threads: an Observe is applied whole
/// before or after a Predict's snapshot, never halfway through it.
/// The checksum is not keyed: it finds damage, not edits, so <see cref="Read"/> also checks every field for what an
/// engine can hold (finite values, at least L observations, a positive step that keeps forecast timestamps in range).
/// </summary>
internal sealed class ForecastEngineState
{
    // Format history:
    //   1  initial: columns, input length, observations, count, timestamps; SHA-256 of everything before it.
    private const string Magic = "MLNS2SFE";
    private const int Version = 1;

    private readonly string[] _columnNames;
    private readonly float[] _window;
    private readonly object _gate = new();
    private long _observationCount;
    private DateTime? _lastTimestamp;
    private TimeSpan? _step;

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

    public long ObservationCount
    {
        get { lock (_gate) return _observationCount; }
    }

    public DateTime? LastTimestamp
    {
        get { lock (_gate) return _lastTimestamp; }
    }

    public TimeSpan? Step
    {
        get { lock (_gate) return _step; }
    }

    /// <summary>A copy of the last L observations (time-major) with the last timestamp and step, taken together.</summary>
    public (float[] Window, DateTime? LastTimestamp, TimeSpan? Step) Snapshot()
    {
        lock (_gate)
            return ((float[])_window.Clone(), _lastTimestamp, _step);
    }

    /// <summary>Appends rows (checked first: nothing changes when a timestamp is wrong).</summary>
    public void Append(SeriesTable rows)
    {
        lock (_gate)
            AppendLocked(rows);
    }

    private void AppendLocked(SeriesTable rows)
    {
        int width = _columnNames.Length, count = rows.RowCount;
        if (count == 0)
            return;
        DateTime? last = _lastTimestamp;
        TimeSpan? step = _step;
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
        _observationCount += count;
        _lastTimestamp = last;
        _step = step;
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
        byte[] body;
        lock (_gate)
            body = Body();
        stream.Write(body);
        stream.Write(SHA256.HashData(body));
    }

    private byte[] Body()
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
            writer.Write(_observationCount);
            foreach (float value in _window)
                writer.Write(value);
            writer.Write(TimestampColumnName is not null);
            if (TimestampColumnName is not null)
            {
                writer.Write(TimestampColumnName);
                writer.Write(_lastTimestamp is not null);
                if (_lastTimestamp is DateTime last)
                {
                    writer.Write(last.Ticks);
                    writer.Write((int)last.Kind);
                }
                writer.Write(_step is not null);
                if (_step is TimeSpan step)
                    writer.Write(step.Ticks);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>The most bytes a state of <paramref name="inputLength"/> steps of <paramref name="columnNames"/> can take:
    /// its window and names, and 64 KiB for the fixed fields and the timestamp column's name.</summary>
    public static long MaxBytes(IReadOnlyList<string> columnNames, int inputLength) =>
        4L * inputLength * columnNames.Count + columnNames.Sum(n => 5L + Encoding.UTF8.GetByteCount(n)) + (64 << 10);

    /// <summary>Reads a state, refusing one longer than <paramref name="maxBytes"/> before reading further. Anything that
    /// is not a state an engine could have written is an <see cref="InvalidDataException"/>.</summary>
    public static ForecastEngineState Read(Stream stream, long maxBytes)
    {
        byte[] all = ReadAtMost(stream, maxBytes);
        if (all.Length < Magic.Length + 4 + 32 || Encoding.ASCII.GetString(all, 0, Magic.Length) != Magic)
            throw new InvalidDataException("This is not a forecast engine state (it does not start with the engine's signature).");
        byte[] body = all[..^32];
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(all.AsSpan(all.Length - 32)))
            throw new InvalidDataException("The forecast engine state is damaged: its SHA-256 checksum does not match its contents.");
        using var reader = new BinaryReader(new MemoryStream(body, Magic.Length, body.Length - Magic.Length), Encoding.UTF8);
        try
        {
            return Parse(reader, body.Length);
        }
        catch (Exception ex) when (ex is IOException or FormatException) // a field cut short, a damaged string length
        {
            throw new InvalidDataException($"The forecast engine state is damaged: {ex.Message}", ex);
        }
    }

    private static ForecastEngineState Parse(BinaryReader reader, int bodyLength)
    {
        int version = reader.ReadInt32();
        if (version != Version)
            throw new InvalidDataException($"The forecast engine state has format version {version}; this version of MLNetSeq2Seq reads version {Version}.");
        int length = reader.ReadInt32(), width = reader.ReadInt32();
        if (length <= 0 || width <= 0 || 4L * length * width > bodyLength)
            throw new InvalidDataException($"The forecast engine state claims {length} steps of {width} columns, more than its {bodyLength} bytes hold.");
        var names = new string[width];
        for (int i = 0; i < width; i++)
            names[i] = reader.ReadString();
        long count = reader.ReadInt64();
        if (count < length)
            throw new InvalidDataException($"The forecast engine state claims {count} observations, but an engine starts from at least its {length} steps.");
        var window = new float[length * width];
        for (int i = 0; i < window.Length; i++)
        {
            window[i] = reader.ReadSingle();
            if (!float.IsFinite(window[i]))
                throw new InvalidDataException($"The forecast engine state holds {window[i]} at step {i / width} of column '{names[i % width]}'; an engine only holds finite observations.");
        }
        string? timestampColumn = null;
        DateTime? last = null;
        TimeSpan? step = null;
        if (reader.ReadBoolean())
        {
            timestampColumn = reader.ReadString();
            if (timestampColumn.Length == 0)
                throw new InvalidDataException("The forecast engine state names an empty timestamp column.");
            if (!reader.ReadBoolean())
                throw new InvalidDataException("The forecast engine state tracks timestamps but holds no last timestamp.");
            long ticks = reader.ReadInt64();
            int kind = reader.ReadInt32();
            if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks || !Enum.IsDefined((DateTimeKind)kind))
                throw new InvalidDataException($"The forecast engine state's last timestamp ({ticks} ticks, kind {kind}) is not a DateTime.");
            last = new DateTime(ticks, (DateTimeKind)kind);
            if (!reader.ReadBoolean())
                throw new InvalidDataException("The forecast engine state tracks timestamps but holds no step.");
            long stepTicks = reader.ReadInt64();
            // The step is the difference of the last two observed timestamps: positive, and no longer than the time since
            // DateTime.MinValue; the next timestamp must exist too.
            if (stepTicks <= 0 || stepTicks > ticks || stepTicks > DateTime.MaxValue.Ticks - ticks)
                throw new InvalidDataException($"The forecast engine state's step is {stepTicks} ticks after a last timestamp of {last.Value:O}; "
                    + "a step is positive and the forecast timestamps must stay within DateTime's range.");
            step = new TimeSpan(stepTicks);
        }
        if (reader.BaseStream.Position != reader.BaseStream.Length)
            throw new InvalidDataException("The forecast engine state has bytes after its end.");
        var result = new ForecastEngineState(names, length, timestampColumn) { _observationCount = count, _lastTimestamp = last, _step = step };
        window.CopyTo(result._window, 0);
        return result;
    }

    private static byte[] ReadAtMost(Stream stream, long maxBytes)
    {
        using var copy = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (copy.Length + n > maxBytes)
                throw new InvalidDataException($"The forecast engine state is longer than the {maxBytes} bytes a state of this model can take.");
            copy.Write(buffer, 0, n);
        }
        return copy.ToArray();
    }
}
