/** The store's vocabulary, below both the store and its version log. */

export interface StoredPair {
  name: string;
  value: string;
}

export interface PutPair extends StoredPair {
  replace: boolean;
}

/** One attribute to delete: every value of `name`, or just `value`. */
export interface DeletePair {
  name: string;
  value?: string;
}

export interface PutEffect {
  /** The item's pair count afterwards, when the write added pairs (else it cannot have grown). */
  itemPairs: number | undefined;
  /** Whether the domain's pair or byte total went up. */
  grew: boolean;
}

export interface DomainStats {
  itemCount: number;
  itemNamesSizeBytes: number;
  attributeNameCount: number;
  attributeNamesSizeBytes: number;
  attributeValueCount: number;
  attributeValuesSizeBytes: number;
}
