// Lazily loaded chunk: voice isolation (RNNoise). Separate from the blur chunk, so a page that only
// isolates voices never loads the segmentation code.
import { announce } from './announce';
import { voiceIsolation } from './voice-isolation';
import { listenForSpeech } from './voice-activity';

announce('voice', voiceIsolation, listenForSpeech);
