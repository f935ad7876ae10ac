using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.MLNetInterop;

/// <summary>
/// Follows a view down through ML.NET's row-to-row transforms (what most transformers' Transform returns:
/// <see cref="RowToRowMapperTransform"/>) for as long as they pass the given columns through from their source
/// unchanged. Such a transform neither drops, adds nor reorders rows, so the view reached serves the same values of
/// those columns in the same row order. Any other kind of view (filters, caches, column selections, loaders) ends the
/// walk. The transform's column bindings are internal to ML.NET, hence this folder.
/// </summary>
internal static class PassThroughColumns
{
    /// <summary>The deepest view that serves <paramref name="columns"/> (indices into <paramref name="data"/>'s schema)
    /// unchanged, with their indices there.</summary>
    public static (IDataView View, int[] Columns) Origin(IDataView data, int[] columns)
    {
        int[] current = (int[])columns.Clone();
        while (data is RowToRowMapperTransform transform)
        {
            var source = new int[current.Length];
            for (int i = 0; i < current.Length; i++)
            {
                source[i] = transform._bindings.MapColumnIndex(out bool fromSource, current[i]);
                if (!fromSource)
                    return (data, current);
            }
            data = transform.Source;
            current = source;
        }
        return (data, current);
    }
}
