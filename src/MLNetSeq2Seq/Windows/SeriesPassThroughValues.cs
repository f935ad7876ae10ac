using System;
using System.Collections.Generic;
using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Windows;

/// <summary>
/// The values of one scalar column of the series (a timestamp, usually), kept per row so a window can copy the
/// value of its first input row or first target row. Text is copied out of the loader's buffers as it is read.
/// </summary>
internal abstract class SeriesPassThroughValues
{
    protected SeriesPassThroughValues(DataViewType type) => Type = type;

    public DataViewType Type { get; }

    /// <summary>A reader that stores the column's value of the cursor's current row; returns the store.</summary>
    /// <param name="row">The reading cursor.</param>
    /// <param name="column">The column to store.</param>
    /// <param name="shareText">Text values that repeat (series ids) are stored once each rather than once per row.</param>
    public static SeriesPassThroughValues Create(DataViewRow row, DataViewSchema.Column column, bool shareText = false)
    {
        MethodInfo create = typeof(SeriesPassThroughValues).GetMethod(nameof(CreateTyped), BindingFlags.NonPublic | BindingFlags.Static)!;
        return (SeriesPassThroughValues)create.MakeGenericMethod(column.Type.RawType).Invoke(null, new object[] { row, column, shareText })!;
    }

    /// <summary>Appends the value on the row the reading cursor stands on.</summary>
    public abstract void ReadCurrent();

    /// <summary>A getter serving the stored value of the table row that <paramref name="tableRow"/> returns.</summary>
    public abstract Delegate Getter(Func<int> tableRow);

    /// <summary>The value of a row held as a time: DateTime, DateTimeOffset (its UTC time), or text that DateTime.Parse
    /// reads with the invariant culture; null when it is none of those.</summary>
    public abstract DateTime? TimestampAt(int tableRow);

    /// <summary>The value of a row, as text, for messages (and as a series id: text as is, numbers invariant).</summary>
    public abstract string Describe(int tableRow);

    /// <summary>True when the row's value is missing: empty or blank text, NaN, or key 0 (ML.NET's missing key).</summary>
    public abstract bool IsMissing(int tableRow);

    /// <summary>True when two rows hold equal values (text compared by content).</summary>
    public abstract bool SameValue(int tableRow, int otherRow);

    /// <summary>Puts the stored values in a new order: value i becomes the value of old row order[i].</summary>
    public abstract void Reorder(int[] order);

    private static SeriesPassThroughValues CreateTyped<T>(DataViewRow row, DataViewSchema.Column column, bool shareText) =>
        new Typed<T>(column.Type, row.GetGetter<T>(column), shareText ? new Dictionary<string, ReadOnlyMemory<char>>(StringComparer.Ordinal) : null);

    private sealed class Typed<T> : SeriesPassThroughValues
    {
        private readonly ValueGetter<T> _read;
        private T[] _values = new T[256];
        private int _count;

        private readonly Dictionary<string, ReadOnlyMemory<char>>? _shared;

        public Typed(DataViewType type, ValueGetter<T> read, Dictionary<string, ReadOnlyMemory<char>>? shared) : base(type)
        {
            _read = read;
            _shared = shared;
        }

        private ReadOnlyMemory<char> Own(ReadOnlyMemory<char> text)
        {
            if (_shared is null)
                return text.ToString().AsMemory();
            var lookup = _shared.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(text.Span, out ReadOnlyMemory<char> known))
                return known;
            string copy = text.ToString();
            _shared.Add(copy, copy.AsMemory());
            return copy.AsMemory();
        }

        public override void ReadCurrent()
        {
            T value = default!;
            _read(ref value);
            // A loader may hand out text that points into a buffer it reuses; keep a copy of our own (shared with the
            // row before when equal: a series id repeats on every row of its series).
            if (value is ReadOnlyMemory<char> text)
                value = _count > 0 && _values[_count - 1] is ReadOnlyMemory<char> previous && previous.Span.SequenceEqual(text.Span)
                    ? (T)(object)previous : (T)(object)Own(text);
            if (_count == _values.Length)
                Array.Resize(ref _values, checked(_values.Length * 2));
            _values[_count++] = value;
        }

        public override DateTime? TimestampAt(int tableRow) => _values[tableRow] switch
        {
            DateTime time => time,
            DateTimeOffset offset => offset.UtcDateTime,
            ReadOnlyMemory<char> text when DateTime.TryParse(text.Span, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime parsed) => parsed,
            _ => null,
        };

        public override string Describe(int tableRow) => _values[tableRow] switch
        {
            IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
            T value => value.ToString() ?? "",
            _ => "",
        };

        public override bool IsMissing(int tableRow) => _values[tableRow] switch
        {
            ReadOnlyMemory<char> text => text.Span.IsWhiteSpace(),
            float f => float.IsNaN(f),
            double d => double.IsNaN(d),
            _ when Type is KeyDataViewType => Convert.ToUInt64(_values[tableRow], CultureInfo.InvariantCulture) == 0,
            _ => false,
        };

        public override bool SameValue(int tableRow, int otherRow) => _values[tableRow] is ReadOnlyMemory<char> text && _values[otherRow] is ReadOnlyMemory<char> other
            ? text.Span.SequenceEqual(other.Span)
            : System.Collections.Generic.EqualityComparer<T>.Default.Equals(_values[tableRow], _values[otherRow]);

        public override void Reorder(int[] order)
        {
            var values = new T[Math.Max(order.Length, 1)];
            for (int i = 0; i < order.Length; i++)
                values[i] = _values[order[i]];
            _values = values;
            _count = order.Length;
        }

        public override Delegate Getter(Func<int> tableRow) => (ValueGetter<T>)((ref T value) => value = _values[tableRow()]);
    }
}
