using Launcher.Logging;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Launcher.Guard.Lease;

/// <summary>
/// A held Redis lease: renewed in the background every TTL/3, and failing closed. When no renewal has been
/// confirmed and only <see cref="LeaseTiming.StopLead"/> of the last confirmed lease is left (Redis down, a
/// partition, a stalled connection), or Redis says the lease is not ours, <see cref="StopRequested"/> fires (stop
/// the workers now), and <see cref="MustBeGone"/> fires <see cref="LeaseTiming.Margin"/> before the lease can end
/// (SIGKILL whatever is left). A lost lease is never taken back: the launcher stops. Disposing a lease that is
/// still held releases it, so a standby takes over at once.
/// </summary>
internal sealed class RedisLease : IAsyncDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly LeaseKeys _keys;
    private readonly LeaseTiming _timing;
    private readonly string _value;
    private readonly long _origin;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopRequested = new();
    private readonly CancellationTokenSource _mustBeGone = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private readonly Task _renewal;
    private LeaseState _state = LeaseState.Holding;

    /// <param name="sentAtTimestamp">The <see cref="TimeProvider.GetTimestamp"/> taken just before the winning acquire was sent.</param>
    public RedisLease(IConnectionMultiplexer redis, LeaseKeys keys, LeaseTiming timing, string value, LeaseHolder holder, long sentAtTimestamp, ILogger logger, TimeProvider time)
    {
        _redis = redis;
        _keys = keys;
        _timing = timing;
        _value = value;
        _origin = sentAtTimestamp;
        _logger = logger;
        _time = time;
        Holder = holder;
        _renewal = Task.Run(RenewLoopAsync);
    }

    /// <summary>Who we are in the lease, with the fencing token of this acquisition.</summary>
    public LeaseHolder Holder { get; }

    /// <summary>Fires when the lease is lost or about to be: stop every worker now.</summary>
    public CancellationToken StopRequested => _stopRequested.Token;

    /// <summary>Fires just before the last confirmed lease can end: nothing of ours may run from here on.</summary>
    public CancellationToken MustBeGone => _mustBeGone.Token;

    /// <summary>Why the lease was lost, or null while it is held.</summary>
    public string? LossReason { get; private set; }

    public LeaseState State
    {
        get
        {
            lock (_gate)
                return _state;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync();
        await _renewal;
        if (TryMove(LeaseState.Holding, LeaseState.Released))
            await ReleaseAsync();
        await _redis.DisposeAsync();
        _disposing.Dispose();
    }

    private async Task RenewLoopAsync()
    {
        var schedule = new RenewalSchedule(_timing);
        var database = _redis.GetDatabase();
        var failures = 0;
        var token = _disposing.Token;
        try
        {
            while (true)
            {
                var now = _time.GetElapsedTime(_origin);
                if (schedule.MustStop(now))
                {
                    await LoseAsync($"no renewal confirmed for {(now - schedule.ConfirmedUntil + _timing.Ttl).TotalSeconds:F1} s", schedule, token);
                    return;
                }

                if (schedule.NextAttemptAt > now)
                {
                    await Task.Delay(schedule.NextAttemptAt - now, _time, token);
                    continue;
                }

                try
                {
                    var renewed = (long)(await database.ScriptEvaluateAsync(LeaseScripts.Renew, [_keys.Lease], [_value, (long)_timing.Ttl.TotalMilliseconds])
                        .WaitAsync(schedule.AttemptBudget(now), _time, token));
                    if (renewed != 1)
                    {
                        await LoseAsync("Redis says the lease is not ours any more (it expired, or Redis lost its data)", schedule, token);
                        return;
                    }

                    schedule.Renewed(now);
                    if (failures > 0)
                        Log.LeaseRenewalRecovered(_logger, failures);
                    failures = 0;
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    if (failures++ == 0)
                        Log.LeaseRenewalFailed(_logger, RedisConnection.Reason(ex), Math.Max(0, (schedule.StopAt - now).TotalSeconds));
                    schedule.Failed(_time.GetElapsedTime(_origin));
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disposed: the launcher is stopping and will release the lease.
        }
    }

    private async Task LoseAsync(string reason, RenewalSchedule schedule, CancellationToken token)
    {
        if (!TryMove(LeaseState.Holding, LeaseState.Lost))
            return;
        LossReason = reason;
        var untilGone = schedule.MustBeGoneAt - _time.GetElapsedTime(_origin);
        Log.LeaseLost(_logger, reason, Math.Max(0, untilGone.TotalSeconds));
        await _stopRequested.CancelAsync();
        if (untilGone > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(untilGone, _time, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Disposed first: the launcher has stopped; the deadline still applies to anything left.
            }
        }

        await _mustBeGone.CancelAsync();
    }

    private async Task ReleaseAsync()
    {
        try
        {
            await _redis.GetDatabase()
                .ScriptEvaluateAsync(LeaseScripts.Release, [_keys.Lease], [_value, _keys.Released.ToString()])
                .WaitAsync(_timing.CommandTimeout, _time, CancellationToken.None);
            Log.LeaseReleased(_logger, Holder.Fence);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.LeaseReleaseFailed(_logger, RedisConnection.Reason(ex), _timing.Ttl.TotalSeconds);
        }
    }

    // The one place the state changes: logged, and only from the state the caller expects.
    private bool TryMove(LeaseState from, LeaseState to)
    {
        lock (_gate)
        {
            if (_state != from)
                return false;
            if ((from, to) is not (LeaseState.Holding, LeaseState.Lost) and not (LeaseState.Holding, LeaseState.Released))
                throw new InvalidOperationException($"lease cannot move from {from} to {to}");
            _state = to;
        }

        Log.LeaseStateChanged(_logger, from.ToString(), to.ToString());
        return true;
    }
}
