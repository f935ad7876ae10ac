// Copied into a throwaway console app by eng/package-smoke.sh. It compiles against the packed MLNetSeq2Seq and the
// real (not publicized) ML.NET, so it also proves that no ML.NET internal type leaks into the public API.
//   dotnet run -- train <model.zip> <scores.txt>   trains, evaluates, saves the model and the scores of the first rows
//   dotnet run -- load  <model.zip> <scores.txt>   in a fresh process: loads the zip, scores the same rows, compares
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq;

if (args.Length != 3 || (args[0] != "train" && args[0] != "load"))
{
    Console.Error.WriteLine("usage: train|load <model.zip> <scores.txt>");
    return 2;
}
string mode = args[0], modelPath = args[1], scoresPath = args[2];
string mlnet = typeof(MLContext).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
    .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion.Split('+')[0];

var ml = new MLContext(seed: 1);
var random = new Random(1);
var rows = Enumerable.Range(0, 200).Select(_ =>
{
    double phase = random.NextDouble() * 6.28;
    float[] wave = Enumerable.Range(0, 12).Select(t => (float)Math.Sin(0.5 * t + phase)).ToArray();
    return new Row { Features = wave[..8], Label = wave[8..] };
}).ToList();
IDataView data = ml.Data.LoadFromEnumerable(rows);

if (mode == "train")
{
    IEstimator<Seq2SeqTransformer> trainer = ml.Regression.Trainers.Seq2Seq(new Seq2SeqOptions
    {
        InputFeatureCount = 1, OutputFeatureCount = 1, Horizon = 4, HiddenSize = 16, MaxEpochs = 15, LearningRate = 1e-2,
    });
    using Seq2SeqTransformer model = trainer.Fit(data);
    SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(model.Transform(data));
    if (!(metrics.RSquared > 0.5)) throw new Exception($"the model did not learn: R² {metrics.RSquared}");
    ml.Model.Save(model, data.Schema, modelPath);
    File.WriteAllLines(scoresPath, Scores(model.Transform(data)));
    Console.WriteLine($"package smoke: trained and saved on Microsoft.ML {mlnet} (R² {metrics.RSquared:F3})");
}
else
{
    ITransformer loaded = ml.Model.Load(modelPath, out _);
    string[] expected = File.ReadAllLines(scoresPath), actual = Scores(loaded.Transform(data));
    if (!expected.SequenceEqual(actual)) throw new Exception("the model loaded in a fresh process scores differently");
    Console.WriteLine($"package smoke: ok on Microsoft.ML {mlnet} (loaded in a fresh process, {actual.Length} rows score bit-identically)");
}
return 0;

// The scores as round-trippable text, one row a line: equal text means bit-identical floats.
static string[] Scores(IDataView scored) => scored.GetColumn<float[]>("Score").Take(50)
    .Select(row => string.Join(' ', row.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8")))).ToArray();

public sealed class Row
{
    [VectorType(8)] public float[] Features { get; set; } = [];
    [VectorType(4)] public float[] Label { get; set; } = [];
}
