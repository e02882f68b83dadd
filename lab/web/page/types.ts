// The shapes the page gets from the API (lab/web/lab-api.ts); type-only imports, erased when served.
import type { HopEvent, Bilingual, ConfigRef } from '../../trace/hop-event.ts';
import type { LabModel, LabState, ModelHost } from '../lab-model.ts';
import type { HopDetails } from '../lab-api.ts';
import type { LetterView, LetterHeader } from '../letter-view.ts';
import type { StepState } from '../step-control.ts';
import type { ScenarioRun } from '../lesson.ts';
import type { HopPreview } from '../../trace/trace-bus.ts';

export type { HopEvent, Bilingual, ConfigRef, LabModel, LabState, ModelHost, HopDetails, LetterView, LetterHeader, StepState, ScenarioRun, HopPreview };

export type Lang = 'ko' | 'en';
export type Figure = 'overview' | 'detail';
