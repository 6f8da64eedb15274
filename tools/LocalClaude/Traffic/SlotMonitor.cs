using System.Net.Http.Headers;
using System.Text.Json;

namespace LocalClaude.Traffic;

/// <summary>
/// Watches llama-server's <c>GET /slots</c> while overlapping requests run and keeps the most slots seen busy at once:
/// the server's own word on whether it served them side by side (NP=2) or one after another (NP=1). Client-side
/// timing cannot tell, since a long prompt's prefill can outlast a short background call either way.
/// </summary>
public sealed class SlotMonitor : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop;
    private readonly Task _polling;
    private int _maxBusy = -1;

    private SlotMonitor(Uri baseUrl, string apiKey, TimeSpan interval, CancellationToken cancellationToken)
    {
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(5) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _polling = PollAsync(interval, _stop.Token);
    }

    /// <summary>The most slots seen processing at once; null when the server has no usable /slots endpoint.</summary>
    public int? MaxBusy => _maxBusy < 0 ? null : _maxBusy;

    public static SlotMonitor Start(Uri baseUrl, string apiKey, CancellationToken cancellationToken, TimeSpan? interval = null) =>
        new(baseUrl, apiKey, interval ?? TimeSpan.FromMilliseconds(50), cancellationToken);

    /// <summary>Stops polling and returns <see cref="MaxBusy"/>.</summary>
    public async Task<int?> StopAsync()
    {
        await _stop.CancelAsync();
        try { await _polling; }
        catch (OperationCanceledException) { }
        return MaxBusy;
    }

    private async Task PollAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await _http.GetAsync("/slots", cancellationToken);
                if (!response.IsSuccessStatusCode) return;
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
                if (document.RootElement.ValueKind != JsonValueKind.Array) return;
                var busy = document.RootElement.EnumerateArray()
                    .Count(slot => slot.TryGetProperty("is_processing", out var p) && p.ValueKind == JsonValueKind.True);
                _maxBusy = Math.Max(_maxBusy, busy);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return;
            }
            await Task.Delay(interval, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _http.Dispose();
    }
}
