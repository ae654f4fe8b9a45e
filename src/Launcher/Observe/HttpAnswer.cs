namespace Launcher.Observe;

/// <summary>One response of the listener: status code, content type and the whole body.</summary>
internal sealed record HttpAnswer(int Status, string ContentType, ReadOnlyMemory<byte> Body)
{
    public static HttpAnswer Text(int status, string text) => new(status, "text/plain; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(text + "\n"));

    public string Reason => Status switch
    {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
