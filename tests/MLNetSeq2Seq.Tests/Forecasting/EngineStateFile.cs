using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace MLNetSeq2Seq.Tests.Forecasting;

/// <summary>
/// A forecast engine state (Forecasting/ForecastEngineState's format 1) taken apart into its fields, so that a test can
/// edit one and seal it again with a fresh SHA-256: the checksum is not keyed, so such an edit passes it and only the
/// field checks stand in the way.
/// </summary>
internal sealed class EngineStateFile
{
    public EngineStateFile(byte[] saved)
    {
        using var reader = new BinaryReader(new MemoryStream(saved, 0, saved.Length - 32), Encoding.UTF8);
        Magic = reader.ReadBytes(8);
        Version = reader.ReadInt32();
        InputLength = reader.ReadInt32();
        Names = new string[reader.ReadInt32()];
        for (int i = 0; i < Names.Length; i++)
            Names[i] = reader.ReadString();
        ObservationCount = reader.ReadInt64();
        Window = new float[InputLength * Names.Length];
        for (int i = 0; i < Window.Length; i++)
            Window[i] = reader.ReadSingle();
        if (reader.ReadBoolean())
        {
            TimestampColumn = reader.ReadString();
            if (reader.ReadBoolean())
                (LastTicks, LastKind) = (reader.ReadInt64(), reader.ReadInt32());
            if (reader.ReadBoolean())
                StepTicks = reader.ReadInt64();
        }
    }

    public byte[] Magic { get; }
    public int Version { get; set; }
    public int InputLength { get; set; }
    public string[] Names { get; set; }
    public long ObservationCount { get; set; }
    public float[] Window { get; set; }
    public string? TimestampColumn { get; set; }
    public long? LastTicks { get; set; }
    public int LastKind { get; set; }
    public long? StepTicks { get; set; }

    /// <summary>The fields as the engine writes them (the window as it is, whatever InputLength says), then a fresh SHA-256.</summary>
    public byte[] Sealed(Action<BinaryWriter>? append = null)
    {
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(InputLength);
            writer.Write(Names.Length);
            foreach (string name in Names)
                writer.Write(name);
            writer.Write(ObservationCount);
            foreach (float value in Window)
                writer.Write(value);
            writer.Write(TimestampColumn is not null);
            if (TimestampColumn is not null)
            {
                writer.Write(TimestampColumn);
                writer.Write(LastTicks is not null);
                if (LastTicks is long ticks)
                {
                    writer.Write(ticks);
                    writer.Write(LastKind);
                }
                writer.Write(StepTicks is not null);
                if (StepTicks is long step)
                    writer.Write(step);
            }
            append?.Invoke(writer);
        }
        byte[] bytes = body.ToArray();
        return Seal(bytes);
    }

    public static byte[] Seal(byte[] body)
    {
        var sealedBytes = new byte[body.Length + 32];
        body.CopyTo(sealedBytes, 0);
        SHA256.HashData(body).CopyTo(sealedBytes, body.Length);
        return sealedBytes;
    }
}
