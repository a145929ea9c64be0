using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Flow.Stages.Audio;

/// <summary>
/// One PocketSphinx decoder (native <c>ps_decoder_t</c>). Not thread-safe: the native decoder keeps
/// the search state of one utterance, so each worker owns one (see <see cref="PocketSphinxStage"/>).
/// </summary>
internal sealed class PocketSphinxDecoder : IDisposable
{
    private readonly PocketSphinxOptions _options;
    private IntPtr _config;
    private IntPtr _decoder;
    private short[] _pcm = [];

    public PocketSphinxDecoder(PocketSphinxOptions options)
    {
        _options = options.Clone();
        foreach ((string path, string what) in new[] { (_options.AcousticModel, "acoustic model"), (_options.LanguageModel, "language model"), (_options.Dictionary, "dictionary") })
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new FileNotFoundException($"PocketSphinx {what} '{path}' not found (apt-get install pocketsphinx-en-us, or run scripts/setup.sh)", path);
            }
        }

        string[] args =
        [
            "-hmm", _options.AcousticModel,
            "-lm", _options.LanguageModel,
            "-dict", _options.Dictionary,
            "-logfn", "/dev/null",
        ];
        IntPtr[] argv = args.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
        try
        {
            try
            {
                _config = PocketSphinxNative.cmd_ln_parse_r(IntPtr.Zero, PocketSphinxNative.ps_args(), argv.Length, argv, 1);
            }
            catch (DllNotFoundException e)
            {
                throw new DllNotFoundException("libpocketsphinx.so.3 not found (apt-get install libpocketsphinx3 libsphinxbase3, or run scripts/setup.sh)", e);
            }

            if (_config == IntPtr.Zero)
            {
                throw new InvalidOperationException("PocketSphinx rejected its configuration (cmd_ln_parse_r returned null)");
            }

            _decoder = PocketSphinxNative.ps_init(_config);
            if (_decoder == IntPtr.Zero)
            {
                _ = PocketSphinxNative.cmd_ln_free_r(_config);
                _config = IntPtr.Zero;
                throw new InvalidOperationException($"PocketSphinx could not load its models from '{_options.AcousticModel}' (ps_init returned null)");
            }
        }
        finally
        {
            foreach (IntPtr p in argv)
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }

    /// <summary>Decodes one utterance; <paramref name="partial"/> receives hypotheses while it runs.</summary>
    public unsafe string Decode(ReadOnlySpan<float> samples, Action<string, TimeSpan>? partial, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_decoder == IntPtr.Zero, this);
        if (_pcm.Length < samples.Length)
        {
            _pcm = new short[samples.Length];
        }

        for (int i = 0; i < samples.Length; i++)
        {
            _pcm[i] = (short)Math.Clamp(MathF.Round(samples[i] * 32768f), short.MinValue, short.MaxValue);
        }

        long started = Stopwatch.GetTimestamp();
        Check(PocketSphinxNative.ps_start_utt(_decoder), "ps_start_utt");
        int partialEvery = Math.Max(_options.FeedSamples, SpeechAudio.ToSamples(_options.PartialInterval));
        int nextPartial = partialEvery;
        fixed (short* pcm = _pcm)
        {
            if (_options.Mode == PocketSphinxMode.WholeUtterance)
            {
                if (PocketSphinxNative.ps_process_raw(_decoder, pcm, (nuint)samples.Length, 0, 1) < 0)
                {
                    _ = PocketSphinxNative.ps_end_utt(_decoder);
                    throw new InvalidOperationException("PocketSphinx failed to process audio (ps_process_raw < 0)");
                }

                Check(PocketSphinxNative.ps_end_utt(_decoder), "ps_end_utt");
                return Hypothesis();
            }

            for (int offset = 0; offset < samples.Length; offset += _options.FeedSamples)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(_options.FeedSamples, samples.Length - offset);
                if (PocketSphinxNative.ps_process_raw(_decoder, pcm + offset, (nuint)count, 0, 0) < 0)
                {
                    _ = PocketSphinxNative.ps_end_utt(_decoder);
                    throw new InvalidOperationException("PocketSphinx failed to process audio (ps_process_raw < 0)");
                }

                if (partial is not null && offset + count >= nextPartial && offset + count < samples.Length)
                {
                    nextPartial += partialEvery;
                    string hyp = Hypothesis();
                    if (hyp.Length > 0)
                    {
                        partial(hyp, Stopwatch.GetElapsedTime(started));
                    }
                }
            }
        }

        Check(PocketSphinxNative.ps_end_utt(_decoder), "ps_end_utt");
        return Hypothesis();
    }

    /// <summary>Starts an utterance fed piece by piece with <see cref="Feed"/> (live CMN).</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_decoder == IntPtr.Zero, this);
        Check(PocketSphinxNative.ps_start_utt(_decoder), "ps_start_utt");
    }

    /// <summary>Feeds the next samples of the utterance begun with <see cref="Start"/>.</summary>
    public unsafe void Feed(ReadOnlySpan<float> samples)
    {
        if (_pcm.Length < samples.Length)
        {
            _pcm = new short[samples.Length];
        }

        for (int i = 0; i < samples.Length; i++)
        {
            _pcm[i] = (short)Math.Clamp(MathF.Round(samples[i] * 32768f), short.MinValue, short.MaxValue);
        }

        fixed (short* pcm = _pcm)
        {
            if (PocketSphinxNative.ps_process_raw(_decoder, pcm, (nuint)samples.Length, 0, 0) < 0)
            {
                throw new InvalidOperationException("PocketSphinx failed to process audio (ps_process_raw < 0)");
            }
        }
    }

    /// <summary>The current best hypothesis of the utterance being fed.</summary>
    public string Partial() => Hypothesis();

    /// <summary>Ends the utterance begun with <see cref="Start"/> and returns its final text.</summary>
    public string End()
    {
        Check(PocketSphinxNative.ps_end_utt(_decoder), "ps_end_utt");
        return Hypothesis();
    }

    private string Hypothesis()
    {
        IntPtr text = PocketSphinxNative.ps_get_hyp(_decoder, out _);
        return text == IntPtr.Zero ? string.Empty : Marshal.PtrToStringUTF8(text) ?? string.Empty;
    }

    private static void Check(int result, string call)
    {
        if (result < 0)
        {
            throw new InvalidOperationException($"PocketSphinx {call} failed ({result})");
        }
    }

    public void Dispose()
    {
        if (_decoder != IntPtr.Zero)
        {
            _ = PocketSphinxNative.ps_free(_decoder);
            _decoder = IntPtr.Zero;
        }

        if (_config != IntPtr.Zero)
        {
            _ = PocketSphinxNative.cmd_ln_free_r(_config);
            _config = IntPtr.Zero;
        }
    }
}
