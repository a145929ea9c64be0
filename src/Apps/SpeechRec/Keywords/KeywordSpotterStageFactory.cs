using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec;

/// <summary>The keyword branch: short utterances through the keyword network, confident results as events.</summary>
internal static class KeywordSpotterStageFactory
{
    public static Func<Utterance, IEnumerable<SpeechEvent>> Create(SpeechRecognitionOptions options)
    {
        KeywordModel model = KeywordModel.Load(options.KeywordModelPath!);
        int maxSamples = SpeechAudio.ToSamples(options.KeywordMaxDuration);
        float threshold = options.KeywordThreshold;
        return utterance =>
        {
            if (utterance.Samples.Length > maxSamples)
            {
                return [];
            }

            (string label, float probability) = model.Classify(utterance.Samples);
            return probability < threshold
                ? []
                : [new SpeechEvent(SpeechEventKind.Keyword, utterance.Source, utterance.Index, utterance.Start, utterance.End, label, probability)];
        };
    }
}
