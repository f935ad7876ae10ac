using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.Tests.MLNetInterop;

[assembly: LoadableClass(typeof(ScaleTransformer), null, typeof(SignatureLoadModel), "Scale (test)", ScaleTransformer.LoaderSignature)]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace MLNetSeq2Seq.Tests.MLNetInterop;

/// <summary>
/// A tiny savable transformer living outside the library, to prove the MLNetInterop plumbing on its own:
/// Scaled = X × Factor + sum(Offsets). Factor goes into the model body, Offsets into a named binary stream.
/// </summary>
public sealed class ScaleTransformer : ITransformer, ICanSaveModel
{
    internal const string LoaderSignature = "Seq2SeqTestScale";
    public const string InputColumnName = nameof(ScaleInput.X);
    public const string OutputColumnName = nameof(ScaleOutput.Scaled);

    // Format history: 0x00010001 initial.
    private static readonly ModelFormat s_format = new("TSTSCALE", LoaderSignature, 0x00010001, 0x00010001, typeof(ScaleTransformer));

    public ScaleTransformer(float factor, float[] offsets)
    {
        Factor = factor;
        Offsets = offsets;
    }

    public float Factor { get; }

    public float[] Offsets { get; }

    public bool IsRowToRowMapper => true;

    public sealed class ScaleInput
    {
        public float X { get; set; }
    }

    public sealed class ScaleOutput
    {
        public float Scaled { get; set; }
    }

    public static IEnumerable<ScaleInput> SampleRows() =>
        Enumerable.Range(0, 5).Select(i => new ScaleInput { X = i * 1.25f - 2f });

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Inner(inputSchema).GetOutputSchema(inputSchema);

    public IDataView Transform(IDataView input) => Inner(input.Schema).Transform(input);

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Inner(inputSchema).GetRowToRowMapper(inputSchema);

    // The arithmetic runs in ML.NET's CustomMapping; only this transformer is saved, so it needs no registration.
    private ITransformer Inner(DataViewSchema inputSchema)
    {
        var ml = new MLContext();
        float factor = Factor, shift = Offsets.Sum();
        var estimator = ml.Transforms.CustomMapping<ScaleInput, ScaleOutput>((input, output) => output.Scaled = input.X * factor + shift, contractName: null);
        return estimator.Fit(ml.Data.LoadFromEnumerable(Array.Empty<ScaleInput>()));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => ModelWriter.Save(ctx, s_format, writer =>
    {
        // *** Binary format ***
        // float: factor
        // stream "Offsets": int count, count × float
        writer.Writer.Write(Factor);
        writer.WriteStream("Offsets", stream =>
        {
            using var binary = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            binary.Write(Offsets.Length);
            foreach (float offset in Offsets)
                binary.Write(offset);
        });
    });

    private static ScaleTransformer Create(IHostEnvironment env, ModelLoadContext ctx) => ModelReader.Load(ctx, s_format, reader =>
    {
        // *** Binary format ***: see Save.
        float factor = reader.Reader.ReadSingle();
        float[] offsets = Array.Empty<float>();
        reader.ReadStream("Offsets", stream =>
        {
            using var binary = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            offsets = new float[binary.ReadInt32()];
            for (int i = 0; i < offsets.Length; i++)
                offsets[i] = binary.ReadSingle();
        });
        return new ScaleTransformer(factor, offsets);
    });
}
