using System.Text.Json.Serialization;

namespace Launcher.Guard.Lease;

/// <summary>Source-generated JSON for the lease values (NativeAOT: no reflection).</summary>
[JsonSerializable(typeof(LeaseParty))]
internal sealed partial class LeaseJson : JsonSerializerContext;
