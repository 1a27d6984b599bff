using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>What <see cref="FaultProxy"/> does to the requests it carries.</summary>
public enum ProxyFault
{
    /// <summary>Forwards bytes unchanged.</summary>
    None,

    /// <summary>Flips one byte of the first PUT body on each connection, 1,000 bytes in (headers untouched).</summary>
    CorruptBody,

    /// <summary>Resets the connection (TCP RST) once 64 KiB of a PUT body went through.</summary>
    ResetMidBody,

    /// <summary>Answers every request itself with <see cref="FaultProxy.Status"/> (503 SlowDown/ServerBusy, 500), never reaching the server.</summary>
    Answer,

    /// <summary>Accepts connections and reads requests but never answers: an unreachable store behind a black hole.</summary>
    Stall,
}

/// <summary>
/// A fault-injecting TCP proxy on 127.0.0.1 between a storage client and its server (s3rver, Azurite): real sockets, real
/// HTTP/1.1 bytes, one request per connection (it adds <c>Connection: close</c>). <see cref="Fault"/> applies to requests arriving after it is set; <see cref="FaultBudget"/> limits how many
/// requests get it (then the proxy forwards again), so "fails twice, then works" is one setting.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _faulted;
    private int _budget = int.MaxValue;

    public FaultProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public ProxyFault Fault { get; set; }

    /// <summary>The status <see cref="ProxyFault.Answer"/> sends (503 by default).</summary>
    public int Status { get; set; } = 503;

    /// <summary>The error code in the answered body (<c>SlowDown</c> for S3, <c>ServerBusy</c> for Azure).</summary>
    public string ErrorCode { get; set; } = "SlowDown";

    /// <summary>How many more requests get the fault (unlimited by default).</summary>
    public int FaultBudget
    {
        get => Volatile.Read(ref _budget);
        set => Volatile.Write(ref _budget, value);
    }

    /// <summary>How many requests got the fault so far.</summary>
    public int Faulted => Volatile.Read(ref _faulted);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception)
        {
            // stopping
        }

        Task[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var task = Task.Run(() => HandleAsync(client));
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    private bool TakeFault(out ProxyFault fault)
    {
        fault = Fault;
        if (fault == ProxyFault.None)
        {
            return false;
        }

        if (Interlocked.Decrement(ref _budget) < 0)
        {
            Interlocked.Increment(ref _budget);
            return false;
        }

        Interlocked.Increment(ref _faulted);
        return true;
    }

    private async Task HandleAsync(TcpClient client)
    {
        using var _ = client;
        var token = _stop.Token;
        var downstream = client.GetStream();
        try
        {
            // The first request's head decides the connection's fault (SDKs reuse connections; a faulted one is closed).
            var head = await ReadHeadAsync(downstream, token);
            if (head is null)
            {
                return;
            }

            // One request per connection: the server is asked to close after answering, so each request gets a fault of its own.
            var text = Encoding.ASCII.GetString(head);
            var lines = text[..^4].Split("\r\n").Where(l => !l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase));
            text = string.Join("\r\n", lines) + "\r\nConnection: close\r\n\r\n";
            head = Encoding.ASCII.GetBytes(text);
            var isPut = text.StartsWith("PUT ", StringComparison.Ordinal);
            var fault = ProxyFault.None;
            var faulted = (isPut || Fault is ProxyFault.Answer or ProxyFault.Stall) && TakeFault(out fault);
            if (faulted && fault == ProxyFault.Stall)
            {
                await Task.Delay(Timeout.Infinite, token);
                return;
            }

            if (faulted && fault == ProxyFault.Answer)
            {
                await DrainBodyAsync(downstream, text, token);
                var body = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{ErrorCode}</Code><Message>Injected by the test proxy.</Message></Error>";
                var response = $"HTTP/1.1 {Status} {(Status == 503 ? "Service Unavailable" : "Internal Server Error")}\r\nContent-Type: application/xml\r\n"
                    + $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\nx-ms-error-code: {ErrorCode}\r\nConnection: close\r\n\r\n{body}";
                await downstream.WriteAsync(Encoding.UTF8.GetBytes(response), token);
                return;
            }

            using var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, _upstreamPort, token);
            var upstream = server.GetStream();
            await upstream.WriteAsync(head, token);
            var up = PumpAsync(downstream, upstream, faulted ? fault : ProxyFault.None, client, server, token);
            var down = PumpAsync(upstream, downstream, ProxyFault.None, client, server, token);
            await Task.WhenAny(up, down);
        }
        catch (Exception)
        {
            // A closed or reset connection ends the pump.
        }
    }

    private static async Task PumpAsync(NetworkStream from, NetworkStream to, ProxyFault fault, TcpClient client, TcpClient server,
        CancellationToken token)
    {
        var buffer = new byte[16 * 1024];
        long bodyBytes = 0;
        var corrupted = false;
        while (true)
        {
            var read = await from.ReadAsync(buffer, token);
            if (read == 0)
            {
                return;
            }

            if (fault == ProxyFault.CorruptBody && !corrupted && bodyBytes + read > 1000)
            {
                buffer[(int)(1000 - bodyBytes)] ^= 0x5A;
                corrupted = true;
            }

            bodyBytes += read;
            if (fault == ProxyFault.ResetMidBody && bodyBytes > 64 * 1024)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                server.Client.LingerState = new LingerOption(true, 0);
                client.Client.Close();
                server.Client.Close();
                return;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), token);
        }
    }

    /// <summary>Reads up to the end of the request head (CRLF CRLF), byte by byte: what follows is the body.</summary>
    private static async Task<byte[]?> ReadHeadAsync(NetworkStream stream, CancellationToken token)
    {
        var head = new List<byte>(1024);
        var one = new byte[1];
        while (head.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, token) == 0)
            {
                return null;
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                return [.. head];
            }
        }

        return [.. head];
    }

    private static async Task DrainBodyAsync(NetworkStream stream, string head, CancellationToken token)
    {
        if (head.Contains("Expect: 100-continue", StringComparison.OrdinalIgnoreCase))
        {
            return; // the client waits for an interim answer before sending its body
        }

        var line = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var remaining = line is null ? 0 : long.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var buffer = new byte[16 * 1024];
        while (remaining > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), token);
            if (read == 0)
            {
                return;
            }

            remaining -= read;
        }
    }
}
