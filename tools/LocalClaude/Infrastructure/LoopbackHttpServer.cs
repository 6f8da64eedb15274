using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LocalClaude.Infrastructure;

/// <summary>Where and how a <see cref="LoopbackHttpServer"/> listens beyond the defaults (127.0.0.1, a free port, HTTP/1.1 and 2).</summary>
public sealed record LoopbackListenOptions
{
    /// <summary>Listen on this unix socket instead of a TCP port (the caller sets its mode and owner).</summary>
    public string? UnixSocketPath { get; init; }
    /// <summary>Only HTTP/1.1: no HTTP/2 (prior knowledge or h2c) for a client to switch to.</summary>
    public bool Http1Only { get; init; }
    /// <summary>
    /// At most this many connections open at once; one beyond gets <see cref="RefusedConnectionAnswer"/>'s 503 and is
    /// closed, and past twice as many Kestrel closes new ones unanswered. Null: no limit.
    /// </summary>
    public int? MaxConnections { get; init; }
    /// <summary>The JSON body of the 503 for a connection beyond <see cref="MaxConnections"/>.</summary>
    public string RefusedConnectionAnswer { get; init; } = "{}";
    /// <summary>Told of each connection refused for the limit (from Kestrel's threads).</summary>
    public Action<string>? OnRefusedConnection { get; init; }
}

/// <summary>
/// Kestrel on 127.0.0.1 with a free port (or a unix socket), one request delegate, no logging and no config files
/// read: the host of the recording proxy, the sandbox's relay and the control backends.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConnectionCount _connections;

    private LoopbackHttpServer(WebApplication app, Uri baseUrl, ConnectionCount connections)
    {
        _app = app;
        BaseUrl = baseUrl;
        _connections = connections;
    }

    /// <summary><c>http://127.0.0.1:PORT</c>; for a unix socket <c>http://localhost</c> (clients connect to the socket).</summary>
    public Uri BaseUrl { get; }
    /// <summary>Connections open now, counted when <see cref="LoopbackListenOptions.MaxConnections"/> is set.</summary>
    public int OpenConnections => Volatile.Read(ref _connections.Open);
    /// <summary>Connections refused for the limit so far.</summary>
    public int RefusedConnections => Volatile.Read(ref _connections.Refused);

    public static Task<LoopbackHttpServer> StartAsync(RequestDelegate handler, CancellationToken cancellationToken) =>
        StartAsync(handler, new LoopbackListenOptions(), cancellationToken);

    public static async Task<LoopbackHttpServer> StartAsync(RequestDelegate handler, LoopbackListenOptions options, CancellationToken cancellationToken)
    {
        var connections = new ConnectionCount();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // Keep the host from reading appsettings or launch settings of whatever folder we run in.
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            void Configure(ListenOptions listen)
            {
                if (options.Http1Only) listen.Protocols = HttpProtocols.Http1;
                if (options.MaxConnections is { } max) listen.Use(next => connection => connections.AdmitAsync(connection, next, max, options));
            }
            if (options.UnixSocketPath is { } socket) kestrel.ListenUnixSocket(socket, Configure);
            else kestrel.Listen(IPAddress.Loopback, 0, Configure);
            if (options.MaxConnections is { } limit)
            {
                // The layer below the 503s: past this Kestrel closes new connections without reading them.
                kestrel.Limits.MaxConcurrentConnections = 2L * limit;
                kestrel.Limits.MaxConcurrentUpgradedConnections = 0;
            }
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            // A slow model may pause between events: no client or upstream is dropped for that.
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
        });
        var app = builder.Build();
        app.Run(handler);
        try
        {
            await app.StartAsync(cancellationToken);
            if (options.UnixSocketPath is not null) return new LoopbackHttpServer(app, new Uri("http://localhost"), connections);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                          ?? throw new InvalidOperationException("Kestrel did not report the address it listens on");
            return new LoopbackHttpServer(app, new Uri(address), connections);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(stopping.Token); }
        catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }

    /// <summary>Counts open connections and answers one beyond the limit with a 503 before closing it.</summary>
    private sealed class ConnectionCount
    {
        public int Open;
        public int Refused;

        public async Task AdmitAsync(ConnectionContext connection, ConnectionDelegate next, int max, LoopbackListenOptions options)
        {
            try
            {
                if (Interlocked.Increment(ref Open) <= max)
                {
                    await next(connection);
                    return;
                }
                Interlocked.Increment(ref Refused);
                options.OnRefusedConnection?.Invoke($"connection refused: {max} connections are open already");
                var body = Encoding.UTF8.GetBytes(options.RefusedConnectionAnswer);
                var head = Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                await connection.Transport.Output.WriteAsync(head.Concat(body).ToArray(), connection.ConnectionClosed);
                await connection.Transport.Output.CompleteAsync();
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ConnectionResetException)
            {
                // The client left first: nothing more to tell it.
            }
            finally
            {
                Interlocked.Decrement(ref Open);
            }
        }
    }
}
