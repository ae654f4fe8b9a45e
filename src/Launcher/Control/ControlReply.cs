using System.Text.Json.Serialization;

namespace Launcher.Control;

/// <summary>
/// The control socket's short replies: <c>stop</c> is answered twice, <c>{"stopping":true,"pid":N}</c> at once and
/// <c>{"exitCode":N}</c> when the launcher has stopped every worker and is about to exit; a refusal or an unknown
/// command is <c>{"error":"..."}</c>.
/// </summary>
internal sealed record ControlReply(
    [property: JsonPropertyName("stopping"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Stopping = null,
    [property: JsonPropertyName("pid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Pid = null,
    [property: JsonPropertyName("exitCode"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ExitCode = null,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);
