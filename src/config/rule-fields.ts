/** The fields rules of every type share (tag, id, labels, anchor, severity) and the zone reference. */
import { z } from 'zod';
import { id } from './schema-parts.ts';

export const severity = (fallback: 'info' | 'warning') =>
  z.enum(['info', 'warning', 'critical']).default(fallback).describe(`Severity of the events this rule raises (default ${fallback}).`);
export const ruleId = id('rule').describe('Rule id, unique within the camera; events carry it as ruleId.');
export const objects = z.array(z.string().min(1)).min(1).optional()
  .describe("Labels this rule applies to; default: the zone's objects, else the camera's objects.track.");
export const anchor = z.enum(['bottom-center', 'center']).default('bottom-center')
  .describe('The point of a box that stands for the object: where it touches the ground, or its centre (top-down cameras).');
export const zoneRef = z.string().min(1).describe('Id of a zone of this camera (`all` = the whole frame when no zone has that id).');

/** The fields every rule has: its tag, id, the labels and anchor it uses, its severity. */
export const ruleFields = <T extends string>(type: T, defaultSeverity: 'info' | 'warning') => ({
  type: z.literal(type).describe('Rule type.'),
  id: ruleId,
  objects,
  anchor,
  severity: severity(defaultSeverity),
});

