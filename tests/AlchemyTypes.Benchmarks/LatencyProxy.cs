using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// A TCP relay on a free 127.0.0.1 port in front of a loopback server that delivers every byte, in both directions, a
/// fixed one-way delay after it was sent: a network round trip of <c>2 × delay</c> between client and store, with no
/// bandwidth limit and nothing else changed (each connection is relayed to a connection of its own to the server, in
/// order). Loopback has no round trip; a store across a network, such as Amazon S3 from an application server, has one
/// per request, and that wait is what uploading the files of a save concurrently overlaps.
/// </summary>
internal sealed class LatencyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly TimeSpan _oneWay;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _connections = [];

    private LatencyProxy(int targetPort, TimeSpan oneWay)
    {
        _targetPort = targetPort;
        _oneWay = oneWay;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync();
    }

    /// <summary>The port clients connect to.</summary>
    public int Port { get; }

    /// <summary>Starts a relay to 127.0.0.1:<paramref name="targetPort"/> with a round trip of <paramref name="roundTrip"/>.</summary>
    public static LatencyProxy Start(int targetPort, TimeSpan roundTrip)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(roundTrip, TimeSpan.Zero);
        return new LatencyProxy(targetPort, roundTrip / 2);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                client.NoDelay = true;
                server.NoDelay = true;
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                var up = DelayLineAsync(client.GetStream(), server.GetStream(), server.Client);
                var down = DelayLineAsync(server.GetStream(), client.GetStream(), client.Client);
                await Task.WhenAll(up, down);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A side closed or the relay stops: the connection ends, as it would across a network.
            }
        }
    }

    /// <summary>Copies <paramref name="from"/> to <paramref name="to"/>, each chunk written one delay after it was read.</summary>
    private async Task DelayLineAsync(Stream from, Stream to, Socket toSocket)
    {
        var line = Channel.CreateUnbounded<(long Due, byte[] Data, int Length)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writer = Task.Run(async () =>
        {
            await foreach (var (due, data, length) in line.Reader.ReadAllAsync(_stop.Token))
            {
                var wait = TimeSpan.FromTicks(due - DateTime.UtcNow.Ticks);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _stop.Token);
                }

                if (length == 0)
                {
                    toSocket.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.WriteAsync(data.AsMemory(0, length), _stop.Token);
            }
        });

        try
        {
            while (true)
            {
                var buffer = new byte[64 * 1024];
                var read = await from.ReadAsync(buffer, _stop.Token);
                line.Writer.TryWrite((DateTime.UtcNow.Ticks + _oneWay.Ticks, buffer, read));
                if (read == 0)
                {
                    break;
                }
            }
        }
        finally
        {
            line.Writer.TryComplete();
        }

        await writer;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Task[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open);
        _stop.Dispose();
    }
}
