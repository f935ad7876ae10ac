using System;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.ChildProcess;
using Xunit;

namespace MLNetSeq2Seq.Tests.MLNetInterop;

public sealed class SaveLoadAcrossProcessesTests
{
    [Fact]
    public void A_component_saved_in_a_TransformerChain_loads_in_a_fresh_process_without_registration()
    {
        var ml = new MLContext(seed: 1);
        var scale = new ScaleTransformer(factor: 2.5f, offsets: new[] { 0.125f, -1.5f, 3f });
        var chain = new TransformerChain<ITransformer>(scale);
        IDataView rows = ml.Data.LoadFromEnumerable(ScaleTransformer.SampleRows());
        float[] expected = chain.Transform(rows).GetColumn<float>(ScaleTransformer.OutputColumnName).ToArray();

        using var folder = new TemporaryFolder();
        string path = folder.File("scale.zip");
        ml.Model.Save(chain, rows.Schema, path);

        var child = ChildProcessRunner.Run(TimeSpan.FromMinutes(2), "load-scale-model", path);
        Assert.True(child.ExitCode == 0, "child failed: " + child.StandardError);
        string[] lines = child.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(scale.Factor, float.Parse(lines[0], CultureInfo.InvariantCulture));
        Assert.Equal(scale.Offsets, lines[1].Split(';').Select(s => float.Parse(s, CultureInfo.InvariantCulture)));
        Assert.Equal(expected, lines.Skip(2).Select(s => float.Parse(s, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_damaged_model_body_fails_to_load_with_a_format_error_naming_the_component()
    {
        var ml = new MLContext(seed: 1);
        var chain = new TransformerChain<ITransformer>(new ScaleTransformer(1f, new[] { 1f }));
        IDataView rows = ml.Data.LoadFromEnumerable(ScaleTransformer.SampleRows());
        using var folder = new TemporaryFolder();
        string path = folder.File("scale.zip");
        ml.Model.Save(chain, rows.Schema, path);

        // Drop the named stream from the zip: the loader must say which stream is missing.
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
            zip.Entries.Single(e => e.FullName.EndsWith("Offsets", StringComparison.Ordinal)).Delete();

        var error = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(path, out _));
        string all = string.Join(" | ", Flatten(error).Select(e => e.Message));
        Assert.Contains("Offsets", all);
        Assert.Contains(ScaleTransformer.LoaderSignature, all);
    }

    private static System.Collections.Generic.IEnumerable<Exception> Flatten(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
            yield return e;
    }
}
