namespace MLNetSeq2Seq;

/// <summary>
/// Settings of <see cref="Seq2SeqPyTorchCatalog.ImportSeq2SeqFromPyTorch(Microsoft.ML.ModelOperationsCatalog, string, PyTorchImportOptions?)"/>.
/// The file itself carries the architecture (every field that changes the computation, including the input and
/// output feature counts, the horizon and the output → input target mapping) and the column names; these options
/// override the names and state what the caller's pipeline expects, so that a file built for other data fails at
/// import instead of at Transform.
/// </summary>
public sealed class PyTorchImportOptions
{
    /// <summary>The input sequence column (L × F floats per row, time-major). Null (default): the file's
    /// "feature_column_name".</summary>
    public string? FeatureColumnName { get; set; }

    /// <summary>The column Transform adds (Horizon × O floats per row, time-major). Null (default): the file's
    /// "score_column_name".</summary>
    public string? ScoreColumnName { get; set; }

    /// <summary>Values per input step (F) the caller's data has. Null (default): whatever the file says; set, the
    /// file's "input_feature_count" must equal it.</summary>
    public int? InputFeatureCount { get; set; }

    /// <summary>Values per predicted step (O) the caller expects. Null (default): whatever the file says; set, the
    /// file's "output_feature_count" must equal it.</summary>
    public int? OutputFeatureCount { get; set; }

    /// <summary>Predicted steps (H) the caller expects. Null (default): whatever the file says; set, the file's
    /// "horizon" must equal it.</summary>
    public int? Horizon { get; set; }

    /// <summary>Rows per forward pass in Transform, from 1 to 2^20. Default 256 (as <see cref="Seq2SeqOptions"/>);
    /// saved with the model, and settable later on <see cref="Seq2SeqTransformer.InferenceBatchSize"/>.</summary>
    public int InferenceBatchSize { get; set; } = 256;
}
