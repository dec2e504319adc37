/**
 * A job's definition, one owner for it: the typed model (schedule, target, retry, overlap,
 * misfire), the run status and trigger enums, the one codec between the model and the JSON stored
 * in {@code jobs}, the lease rule of a delivery, and the {@code NOTIFY} channels. The Jobs API
 * validates requests into this model and stores what {@link
 * dev.punctual.definition.DefinitionCodec} writes; the engine reads rows back through the same
 * codec. No other package reads or writes the stored JSON shape.
 */
package dev.punctual.definition;
