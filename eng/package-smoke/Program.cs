// Copied into a throwaway console app by eng/package-smoke.sh. It compiles against the packed MLNetSeq2Seq and the
// real (not publicized) ML.NET, so it also proves that no ML.NET internal type leaks into the public API.
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq;

var ml = new MLContext(seed: 1);
var random = new Random(1);
var rows = Enumerable.Range(0, 200).Select(_ =>
{
    double phase = random.NextDouble() * 6.28;
    float[] wave = Enumerable.Range(0, 12).Select(t => (float)Math.Sin(0.5 * t + phase)).ToArray();
    return new Row { Features = wave[..8], Label = wave[8..] };
}).ToList();
IDataView data = ml.Data.LoadFromEnumerable(rows);

IEstimator<Seq2SeqTransformer> trainer = ml.Regression.Trainers.Seq2Seq(new Seq2SeqOptions
{
    InputFeatureCount = 1, OutputFeatureCount = 1, Horizon = 4, HiddenSize = 16, MaxEpochs = 15, LearningRate = 1e-2,
});
using Seq2SeqTransformer model = trainer.Fit(data);
SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(model.Transform(data));

string path = Path.Combine(Path.GetTempPath(), $"package-smoke-{Guid.NewGuid():N}.zip");
ml.Model.Save(model, data.Schema, path);
ITransformer loaded = new MLContext().Model.Load(path, out _);
float[] before = model.Transform(data).GetColumn<float[]>("Score").First();
float[] after = loaded.Transform(data).GetColumn<float[]>("Score").First();
File.Delete(path);
if (!before.SequenceEqual(after)) throw new Exception("the loaded model scores differently");
if (!(metrics.RSquared > 0.5)) throw new Exception($"the model did not learn: R² {metrics.RSquared}");
Console.WriteLine($"package smoke: ok (R² {metrics.RSquared:F3}, save/load identical)");

public sealed class Row
{
    [VectorType(8)] public float[] Features { get; set; } = [];
    [VectorType(4)] public float[] Label { get; set; } = [];
}
