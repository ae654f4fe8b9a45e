using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Launcher.Control;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>
/// Issue 12, part 3: the launcher's `ping` of socket workers (<see cref="SocketPingRound"/>), against listeners in this
/// process: more workers than may be outstanding at once, each verdict in its worker's place, a silent worker, a
/// worker answering for another pid and a missing socket among them.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class SocketPingRoundTests
{
    private const int Workers = 20;
    private const int Silent = 3;
    private const int WrongPid = 5;
    private const int Missing = 7;

    [Test, CancelAfter(60_000)]
    public async Task Twenty_workers_pinged_sixteen_at_a_time_each_get_their_own_verdict(CancellationToken cancellationToken)
    {
        // Arrange
        var dir = Directory.CreateTempSubdirectory("spr").FullName;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var listeners = new List<Socket>();
        var loops = new List<Task>();
        var targets = new List<(string Socket, int Pid)>();
        try
        {
            for (var i = 0; i < Workers; i++)
            {
                var path = Path.Combine(dir, $"{i}.sock");
                var pid = 1000 + i;
                targets.Add((path, pid));
                if (i == Missing)
                    continue;
                var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                listener.Bind(new UnixDomainSocketEndPoint(path));
                listener.Listen(16);
                listeners.Add(listener);
                var reply = i == Silent ? null : $"{{\"node\":\"w{i}\",\"pid\":{(i == WrongPid ? 4242 : pid)}}}\n";
                loops.Add(Task.Run(() => AnswerAsync(listener, reply, stop.Token), CancellationToken.None));
            }

            // Act
            var outcomes = await Task.Run(() => SocketPingRound.Run(targets, 16, TimeSpan.FromSeconds(5), cancellationToken), cancellationToken);

            // Assert
            Assert.That(outcomes, Has.Length.EqualTo(Workers));
            Assert.Multiple(() =>
            {
                for (var i = 0; i < Workers; i++)
                {
                    var outcome = outcomes[i];
                    switch (i)
                    {
                        case Silent or Missing:
                            Assert.That(outcome.Answered, Is.False, $"worker {i}");
                            Assert.That(outcome.Problem, Is.EqualTo("no answer on its socket"), $"worker {i}");
                            break;
                        case WrongPid:
                            Assert.That(outcome.Answered, Is.False, $"worker {i}");
                            Assert.That(outcome.Problem, Is.EqualTo("its socket answered for pid 4242"), $"worker {i}");
                            break;
                        default:
                            Assert.That(outcome.Answered, Is.True, $"worker {i}: {outcome.Problem}");
                            Assert.That(outcome.Node, Is.EqualTo($"w{i}"), $"worker {i}");
                            break;
                    }
                }
            });
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var listener in listeners)
                listener.Dispose();
            await Task.WhenAll(loops.Select(l => l.ContinueWith(_ => { }, TaskScheduler.Default)));
            Directory.Delete(dir, recursive: true);
        }
    }

    // Reads each request and answers `reply`, or (null) reads and never answers. Generous timeout: a loaded CI box.
    private static async Task AnswerAsync(Socket listener, string? reply, CancellationToken cancellationToken)
    {
        var held = new List<Socket>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await listener.AcceptAsync(cancellationToken);
                held.Add(client);
                var buffer = new byte[64];
                var read = await client.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                // Only the protocol's request is answered: anything else leaves that worker silent, and the test fails.
                if (reply is not null && Encoding.UTF8.GetString(buffer, 0, read) == "ping\n")
                    await client.SendAsync(Encoding.UTF8.GetBytes(reply), SocketFlags.None, cancellationToken);
            }
        }
        finally
        {
            foreach (var client in held)
                client.Dispose();
        }
    }
}
