using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.MLNetInterop;

/// <summary>SchemaShape.Column's constructor is internal to ML.NET; estimators still have to describe their output.</summary>
internal static class SchemaShapeExtensions
{
    /// <summary>The shape with a float vector column added (replacing one of the same name), annotated with slot names
    /// when <paramref name="withSlotNames"/>. The other columns keep their annotations, as ML.NET's own transforms do.</summary>
    public static SchemaShape WithFloatVector(this SchemaShape shape, string name, bool withSlotNames = false)
    {
        var columns = shape.Where(c => c.Name != name).ToList();
        SchemaShape? annotations = withSlotNames
            ? new SchemaShape(new[] { new SchemaShape.Column(AnnotationUtils.Kinds.SlotNames, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, isKey: false) })
            : null;
        columns.Add(new SchemaShape.Column(name, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, isKey: false, annotations));
        return new SchemaShape(columns);
    }

    /// <summary>The column of that name, if the shape has one: public API instead of ML.NET's internal TryFindColumn.</summary>
    public static bool TryFind(this SchemaShape shape, string name, out SchemaShape.Column column)
    {
        foreach (SchemaShape.Column candidate in shape)
        {
            if (candidate.Name == name)
            {
                column = candidate;
                return true;
            }
        }
        column = default;
        return false;
    }
}
