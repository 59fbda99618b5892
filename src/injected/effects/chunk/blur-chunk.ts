// Lazily loaded chunk: background blur (MediaPipe segmentation + WebGL2). Separate from the voice
// chunk: only pages that blur load it.
import { announce } from './announce';
import { backgroundBlur } from './blur';

announce('blur', backgroundBlur);
