using System;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.MLNetInterop;

// Why a view of its own: ConvertToOnnx (Microsoft.ML.OnnxConverter) walks back from the output view through
// IDataTransform.Source while each view is an ITransformCanSaveOnnx whose CanSaveOnnx is true, and takes the first
// view that is not as the graph's input; a transformer-level interface is not looked at. So Transform returns this
// thin view: the scoring view's rows plus the two internal interfaces (IDataTransform for Source, ISaveAsOnnx for the
// graph). They live in Microsoft.ML.Data, so the library needs neither the converter package nor ONNX Runtime.

/// <summary>
/// The data view Seq2SeqTransformer.Transform returns: the rows of the wrapped scoring view, and what ML.NET's ONNX
/// converter needs to walk past it and write the network as ONNX nodes computing the score column.
/// </summary>
internal sealed class OnnxExportableScoringView : ITransformCanSaveOnnx
{
    private readonly IDataView _scored;
    private readonly string _featureColumnName;
    private readonly string _scoreColumnName;
    private readonly IOnnxExportable _model;
    private readonly MLNetHost? _host;

    public OnnxExportableScoringView(IDataView source, IDataView scored, string featureColumnName, string scoreColumnName, IOnnxExportable model, MLNetHost? host)
    {
        Source = source;
        _scored = scored;
        _featureColumnName = featureColumnName;
        _scoreColumnName = scoreColumnName;
        _model = model;
        _host = host;
    }

    public IDataView Source { get; }

    public bool CanShuffle => _scored.CanShuffle;

    public DataViewSchema Schema => _scored.Schema;

    public long? GetRowCount() => _scored.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        _scored.GetRowCursor(columnsNeeded, rand);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        _scored.GetRowCursorSet(columnsNeeded, n, rand);

    /// <summary>False, with the reason in the MLContext log, when the network cannot be written for this input; the
    /// converter then stops its walk here and fails, as no graph variable holds the score column.</summary>
    /// <exception cref="InvalidOperationException">The input already has a column named like the score column: the
    /// converter would pass that column through as the score, so the refusal is an exception instead.</exception>
    public bool CanSaveOnnx(OnnxContext ctx)
    {
        string? reason = _model.WhyNotOnnx(InputLength);
        if (reason is null)
            return true;
        _host?.Warning($"Seq2Seq: cannot save as ONNX: {reason}.");
        if (Source.Schema.GetColumnOrNull(_scoreColumnName) is not null)
            throw new InvalidOperationException($"Seq2Seq: cannot save as ONNX: {reason}. The input already has a '{_scoreColumnName}' column, "
                + "which the converter would otherwise pass through in place of the forecast.");
        return false;
    }

    public void SaveAsOnnx(OnnxContext ctx)
    {
        ctx.CheckOpSetVersion(OnnxOps.MinimumOpset, "Seq2SeqTransformer");
        string features = ctx.GetVariableName(_featureColumnName);
        string scoreVariable = ctx.AddIntermediateVariable(Schema[_scoreColumnName].Type, _scoreColumnName);
        var ops = new OnnxOps(new OnnxContextGraph(ctx, "Seq2Seq."));
        string prediction = _model.ExportOnnx(ops, features, InputLength);
        ctx.CreateNode("Identity", prediction, scoreVariable, ctx.GetNodeName("Seq2Seq.Score"), "");
    }

    /// <summary>Steps per input window, from the feature column's fixed size; 0 when its size is not fixed.</summary>
    private int InputLength => Source.Schema[_featureColumnName].Type is VectorDataViewType { Size: > 0 } vector
        ? vector.Size / _model.InputFeatureCount : 0;

    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("A scored Seq2Seq data view is not saved on its own: save the transformer with mlContext.Model.Save.");
}
