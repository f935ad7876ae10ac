using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.MLNetInterop;

/// <summary>SchemaShape.Column's constructor is internal to ML.NET; estimators still have to describe their output.</summary>
internal static class SchemaShapeExtensions
{
    /// <summary>The shape with a float vector column added (replacing one of the same name).</summary>
    public static SchemaShape WithFloatVector(this SchemaShape shape, string name)
    {
        var columns = shape.Where(c => c.Name != name).ToList();
        columns.Add(new SchemaShape.Column(name, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, isKey: false));
        return new SchemaShape(columns);
    }
}
