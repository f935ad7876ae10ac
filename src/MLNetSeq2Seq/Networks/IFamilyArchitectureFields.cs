using System.IO;
using System.Text.Json.Nodes;

namespace MLNetSeq2Seq.Networks;

/// <summary>
/// The architecture fields that belong to one family beyond the shared ones (<see cref="NetworkArchitecture"/>): the
/// family writes them, and reads them back through its <see cref="INetworkFamily.ReadFields(BinaryReader)"/>. The
/// architecture stores them as one length-prefixed block (binary) or one "family_fields" object (JSON), so a new family
/// adds fields without touching the shared record, the model file or the interchange code. Implementations are records:
/// equal values are equal fields.
/// </summary>
internal interface IFamilyArchitectureFields
{
    /// <summary>Writes the fields in the order <see cref="INetworkFamily.ReadFields(BinaryReader)"/> reads them.</summary>
    void Write(BinaryWriter writer);

    /// <summary>The fields as the JSON object the Python reference reads (snake_case names).</summary>
    JsonObject ToJson();

    /// <summary>The fields for the architecture's description, e.g. " patch=16/8".</summary>
    string Describe();
}
