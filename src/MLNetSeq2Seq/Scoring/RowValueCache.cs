using System;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Scoring;

/// <summary>
/// The values of one pass-through column for the rows of a block. A scoring cursor reads its input a block ahead,
/// so it stores each row's values here while the input is on that row, and its getters read them back for the
/// row the cursor stands on. One typed subclass per column, made from the column's RawType.
/// </summary>
internal abstract class RowValueCache
{
    private static readonly MethodInfo s_createScalar =
        typeof(RowValueCache).GetMethod(nameof(CreateScalar), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static readonly MethodInfo s_createVector =
        typeof(RowValueCache).GetMethod(nameof(CreateVector), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>A cache for <paramref name="inputColumn"/> of <paramref name="input"/>, <paramref name="capacity"/> rows long.</summary>
    /// <param name="input">The cursor the values are read from (it must have the column active).</param>
    /// <param name="inputColumn">The column, in <paramref name="input"/>'s schema.</param>
    /// <param name="capacity">Rows per block.</param>
    /// <param name="slot">The row of the block that the getters read.</param>
    public static RowValueCache Create(DataViewRow input, DataViewSchema.Column inputColumn, int capacity, BlockSlot slot)
    {
        Type rawType = inputColumn.Type.RawType;
        MethodInfo create = rawType.IsGenericType && rawType.GetGenericTypeDefinition() == typeof(VBuffer<>)
            ? s_createVector.MakeGenericMethod(rawType.GetGenericArguments()[0])
            : s_createScalar.MakeGenericMethod(rawType);
        try
        {
            return (RowValueCache)create.Invoke(null, new object[] { input, inputColumn, capacity, slot })!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    /// <summary>Reads the input's current row into block row <paramref name="slot"/>.</summary>
    public abstract void Store(int slot);

    /// <summary>A <c>ValueGetter&lt;T&gt;</c> (T = the column's RawType) over the row the cursor stands on.</summary>
    public abstract Delegate Getter { get; }

    private static RowValueCache CreateScalar<T>(DataViewRow input, DataViewSchema.Column column, int capacity, BlockSlot slot) =>
        new ScalarCache<T>(input.GetGetter<T>(column), capacity, slot);

    private static RowValueCache CreateVector<T>(DataViewRow input, DataViewSchema.Column column, int capacity, BlockSlot slot) =>
        new VectorCache<T>(input.GetGetter<VBuffer<T>>(column), capacity, slot);

    /// <summary>
    /// Values stored as they are: numbers, booleans, keys, dates, and text. Text (ReadOnlyMemory&lt;char&gt;) is
    /// treated as immutable, as ML.NET's own caches and cursor consolidation treat it.
    /// </summary>
    private sealed class ScalarCache<T> : RowValueCache
    {
        private readonly ValueGetter<T> _input;
        private readonly int _capacity;
        private T[] _values = Array.Empty<T>();

        public ScalarCache(ValueGetter<T> input, int capacity, BlockSlot slot)
        {
            _input = input;
            _capacity = capacity;
            Getter = (ValueGetter<T>)((ref T value) => value = _values[slot.Checked()]);
        }

        public override Delegate Getter { get; }

        public override void Store(int slot)
        {
            BlockRows.EnsureSlot(ref _values, slot, _capacity);
            _input(ref _values[slot]);
        }
    }

    /// <summary>
    /// Vectors deep-copied in (an input getter may hand out buffers it reuses) and copied out with CopyTo, so a
    /// caller never holds the cache's own buffers. Each slot keeps its buffers from block to block.
    /// </summary>
    private sealed class VectorCache<T> : RowValueCache
    {
        private readonly ValueGetter<VBuffer<T>> _input;
        private readonly int _capacity;
        private VBuffer<T>[] _values = Array.Empty<VBuffer<T>>();
        private VBuffer<T> _scratch;

        public VectorCache(ValueGetter<VBuffer<T>> input, int capacity, BlockSlot slot)
        {
            _input = input;
            _capacity = capacity;
            Getter = (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) => _values[slot.Checked()].CopyTo(ref value));
        }

        public override Delegate Getter { get; }

        public override void Store(int slot)
        {
            BlockRows.EnsureSlot(ref _values, slot, _capacity);
            _input(ref _scratch);
            _scratch.CopyTo(ref _values[slot]);
        }
    }
}
