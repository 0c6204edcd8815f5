/**
 * Generic nodes (Rust `generics_example.rs`): a node factory with a type parameter builds fully typed nodes
 * for different payload types; edges stay type-checked.
 */
import { node, workflow, type Node } from '@floxide/core';
import { z } from 'zod';
import { runMain } from './run-main.js';

/** A value tagged with the name of the node that saw it. */
export interface Tagged<TValue> {
  readonly value: TValue;
  readonly tag: string;
}

/** Builds a node that tags any value; `schema` validates the input at runtime. */
function tagger<TValue, const TName extends string>(
  name: TName,
  schema: z.ZodType<TValue>,
): Node<TValue, Tagged<TValue>, unknown, TName> {
  return node({ name, input: schema, process: (value: TValue) => ({ value, tag: name }) });
}

/** Builds a node that renders a tagged value with a formatter. */
function describer<TValue, const TName extends string>(name: TName, format: (value: TValue) => string) {
  return node({ name, process: (tagged: Tagged<TValue>) => `${tagged.tag}(${format(tagged.value)})` });
}

const tagNumber = tagger('tag-number', z.number());
const describeNumber = describer<number, 'describe-number'>('describe-number', (n) => n.toFixed(2));
const tagText = tagger('tag-text', z.string());
const describeText = describer<string, 'describe-text'>('describe-text', (s) => s.toUpperCase());

/** The same generic nodes instantiated for numbers… */
export const numberWorkflow = workflow({ name: 'generics-number' })
  .start(tagNumber)
  .edge(tagNumber, describeNumber)
  .build();
/** …and for strings. */
export const textWorkflow = workflow({ name: 'generics-text' })
  .start(tagText)
  .edge(tagText, describeText)
  .build();

/** Runs both instantiations. */
export async function main(): Promise<string[]> {
  return [await numberWorkflow.run(3.14159), await textWorkflow.run('floxide')];
}

runMain(import.meta.url, main);
