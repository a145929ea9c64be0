using System.Runtime.InteropServices;

namespace Flow.Stages.Audio;

/// <summary>
/// P/Invoke declarations for Debian's libpocketsphinx3 / libsphinxbase3 (0.8+5prealpha). Only
/// non-variadic entry points: the configuration is built with <c>cmd_ln_parse_r</c> from an argv
/// array instead of the variadic <c>cmd_ln_init</c>.
/// </summary>
internal static partial class PocketSphinxNative
{
    private const string PocketSphinx = "libpocketsphinx.so.3";
    private const string SphinxBase = "libsphinxbase.so.3";

    [LibraryImport(PocketSphinx, EntryPoint = "ps_args")]
    internal static partial IntPtr ps_args();

    [LibraryImport(SphinxBase, EntryPoint = "cmd_ln_parse_r")]
    internal static partial IntPtr cmd_ln_parse_r(IntPtr inoutCmdln, IntPtr definitions, int argc, IntPtr[] argv, int strict);

    [LibraryImport(SphinxBase, EntryPoint = "cmd_ln_free_r")]
    internal static partial int cmd_ln_free_r(IntPtr cmdln);

    [LibraryImport(PocketSphinx, EntryPoint = "ps_init")]
    internal static partial IntPtr ps_init(IntPtr config);

    [LibraryImport(PocketSphinx, EntryPoint = "ps_free")]
    internal static partial int ps_free(IntPtr decoder);

    [LibraryImport(PocketSphinx, EntryPoint = "ps_start_utt")]
    internal static partial int ps_start_utt(IntPtr decoder);

    [LibraryImport(PocketSphinx, EntryPoint = "ps_process_raw")]
    internal static unsafe partial int ps_process_raw(IntPtr decoder, short* data, nuint samples, int noSearch, int fullUtterance);

    [LibraryImport(PocketSphinx, EntryPoint = "ps_end_utt")]
    internal static partial int ps_end_utt(IntPtr decoder);

    [LibraryImport(PocketSphinx, EntryPoint = "ps_get_hyp")]
    internal static partial IntPtr ps_get_hyp(IntPtr decoder, out int bestScore);
}
