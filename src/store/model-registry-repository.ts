/** Uploaded model versions on SQL (PGlite or PostgreSQL, same SQL). */
import { AppError } from '../core/errors.ts';
import type { ModelRegistryStore, ModelVersion, ModelVersionStatus } from '../models/registry-store.ts';
import type { ProposedManifest } from '../vision/inspect.ts';
import type { SqlDatabase } from './sql-database.ts';

interface Row {
  model_id: string;
  version: number;
  status: ModelVersionStatus;
  active: boolean;
  file: string;
  file_name: string;
  sha256: string;
  size_bytes: number | string;
  manifest: ProposedManifest;
  notes: string[];
  created_ms: number | string;
  actor: string;
}

const COLUMNS = 'model_id, version, status, active, file, file_name, sha256, size_bytes, manifest, notes, created_ms, actor';

export class SqlModelRegistryStore implements ModelRegistryStore {
  constructor(private readonly db: SqlDatabase) {}

  async all(): Promise<ModelVersion[]> {
    const rows = await this.db.query<Row>(`SELECT ${COLUMNS} FROM model_versions ORDER BY model_id, version`);
    return rows.map((r) => ({
      modelId: r.model_id, version: Number(r.version), status: r.status, active: r.active, file: r.file, fileName: r.file_name, sha256: r.sha256,
      sizeBytes: Number(r.size_bytes), manifest: r.manifest, notes: r.notes, createdMs: Number(r.created_ms), actor: r.actor,
    }));
  }

  async insert(v: ModelVersion): Promise<void> {
    const rows = await this.db.query<{ version: number }>(
      `INSERT INTO model_versions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12)
       ON CONFLICT (model_id, version) DO NOTHING RETURNING version`,
      [v.modelId, v.version, v.status, v.active, v.file, v.fileName, v.sha256, v.sizeBytes, JSON.stringify(v.manifest), JSON.stringify(v.notes), v.createdMs, v.actor],
    );
    if (rows.length === 0) throw new AppError('CONFIG_CONFLICT', `model ${v.modelId} version ${v.version} was added meanwhile; upload again`);
  }

  async update(modelId: string, version: number, change: { status?: ModelVersionStatus; manifest?: ProposedManifest }): Promise<void> {
    await this.db.query(
      `UPDATE model_versions SET status = COALESCE($3, status), manifest = COALESCE($4::jsonb, manifest) WHERE model_id = $1 AND version = $2`,
      [modelId, version, change.status ?? null, change.manifest ? JSON.stringify(change.manifest) : null],
    );
  }

  async activate(modelId: string, version: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(`UPDATE model_versions SET active = false WHERE model_id = $1`, [modelId]);
      await tx.query(`UPDATE model_versions SET active = true WHERE model_id = $1 AND version = $2`, [modelId, version]);
    });
  }

  async remove(modelId: string, version: number): Promise<void> {
    await this.db.query(`DELETE FROM model_versions WHERE model_id = $1 AND version = $2`, [modelId, version]);
  }
}
