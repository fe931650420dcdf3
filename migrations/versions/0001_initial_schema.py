"""Initial schema, with the seeded hazard taxonomy

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 05:05:49.157245

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None



# The seeded taxonomy, copied here (not imported) so this migration means the same thing forever.
TOP_LEVEL = [
    ("fire", "消防安全"), ("electrical", "用电安全"), ("special_equipment", "特种设备"),
    ("hazardous_chemicals", "危险化学品"), ("confined_space", "有限空间"), ("combustible_dust", "粉尘涉爆"),
    ("gas", "燃气安全"), ("construction", "建筑施工"), ("occupational_health", "职业健康"), ("other", "其他"),
]
SECOND_LEVEL = {
    "fire": [("exits", "疏散通道"), ("extinguishers", "灭火器材"), ("alarm", "火灾自动报警"),
             ("sprinklers", "自动喷水灭火"), ("hydrants", "消火栓"), ("emergency_lighting", "应急照明和疏散指示"),
             ("compartments", "防火分隔"), ("combustibles", "易燃可燃物堆放"), ("hot_work", "动火作业")],
    "electrical": [("wiring", "私拉乱接电线"), ("distribution_box", "配电箱"), ("grounding", "接地保护"),
                   ("leakage_protection", "漏电保护"), ("ebike_charging", "电动自行车充电")],
    "special_equipment": [("boilers", "锅炉"), ("pressure_vessels", "压力容器"), ("elevators", "电梯"),
                          ("lifting", "起重机械"), ("vehicles", "场(厂)内机动车辆"),
                          ("inspection_overdue", "未按期检验")],
    "hazardous_chemicals": [("storage", "储存"), ("labelling", "标签和安全技术说明书"), ("use", "使用"),
                            ("waste", "废弃处置")],
    "confined_space": [("permit", "作业审批"), ("ventilation", "通风检测"), ("rescue", "应急救援"),
                       ("signs", "警示标识")],
    "combustible_dust": [("extraction", "除尘系统"), ("cleaning", "清扫制度"), ("ignition", "点火源控制")],
    "gas": [("alarm", "燃气报警器"), ("hoses", "连接软管"), ("cylinders", "气瓶"), ("shutoff", "紧急切断阀")],
    "construction": [("scaffolding", "脚手架"), ("heights", "高处作业"), ("excavation", "基坑"),
                     ("temporary_power", "临时用电")],
    "occupational_health": [("protective_equipment", "个体防护用品"), ("exposure", "职业病危害因素"),
                            ("signs", "警示告知")],
    "other": [("management", "安全管理制度"), ("training", "安全教育培训"), ("emergency", "应急预案"),
              ("other", "其他")],
}


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('areas',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=32), nullable=True),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('boundary', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('min_lon', sa.Float(), nullable=True),
    sa.Column('min_lat', sa.Float(), nullable=True),
    sa.Column('max_lon', sa.Float(), nullable=True),
    sa.Column('max_lat', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("level IN ('district', 'street', 'community', 'grid')", name=op.f('ck_areas_level')),
    sa.CheckConstraint('(boundary IS NULL) = (min_lon IS NULL) AND (min_lon IS NULL) = (max_lat IS NULL)', name=op.f('ck_areas_bbox_with_boundary')),
    sa.ForeignKeyConstraint(['parent_code'], ['areas.code'], name=op.f('fk_areas_parent_code_areas')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_areas'))
    )
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_areas_parent_code'), ['parent_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_areas_path'), ['path'], unique=False)

    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('theme', sa.String(length=500), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_campaigns_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    op.create_table('categories',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('parent_code', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('radius_m', sa.Integer(), nullable=True),
    sa.CheckConstraint("(parent_code IS NULL AND code NOT LIKE '%.%') OR (parent_code IS NOT NULL AND code LIKE parent_code || '.%')", name=op.f('ck_categories_code_under_parent')),
    sa.ForeignKeyConstraint(['parent_code'], ['categories.code'], name=op.f('fk_categories_parent_code_categories')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_categories'))
    )
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_categories_parent_code'), ['parent_code'], unique=False)

    op.create_table('enterprises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('sector', sa.String(length=100), nullable=True),
    sa.Column('venue_type', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('area_code', sa.String(length=32), nullable=True),
    sa.Column('contact_name', sa.String(length=100), nullable=True),
    sa.Column('contact_phone', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("venue_type IN ('enterprise', 'small_shop', 'small_restaurant', 'small_hotel', 'small_entertainment', 'small_internet_cafe', 'small_beauty_bath', 'small_school', 'small_clinic', 'small_workshop', 'other')", name=op.f('ck_enterprises_venue_type')),
    sa.CheckConstraint('(lat IS NULL) = (lon IS NULL)', name=op.f('ck_enterprises_lat_lon_together')),
    sa.CheckConstraint('lat IS NULL OR (lat BETWEEN -90 AND 90)', name=op.f('ck_enterprises_lat_range')),
    sa.CheckConstraint('lon IS NULL OR (lon BETWEEN -180 AND 180)', name=op.f('ck_enterprises_lon_range')),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], name=op.f('fk_enterprises_area_code_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprises')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_enterprises_credit_code'))
    )
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprises_area_code'), ['area_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprises_name'), ['name'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('area_code', sa.String(length=32), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(role = 'enterprise_officer') = (enterprise_id IS NOT NULL)", name=op.f('ck_users_officer_has_enterprise')),
    sa.CheckConstraint("role <> 'inspector' OR area_code IS NOT NULL", name=op.f('ck_users_inspector_has_area')),
    sa.CheckConstraint("role IN ('inspector', 'enterprise_officer', 'reviewer', 'admin')", name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], name=op.f('fk_users_area_code_areas')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_users_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_area_code'), ['area_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('inspections',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('request_digest', sa.String(length=64), nullable=False),
    sa.CheckConstraint("kind IN ('routine', 'unannounced', 'special', 'covert')", name=op.f('ck_inspections_kind')),
    sa.CheckConstraint('(lat IS NULL) = (lon IS NULL)', name=op.f('ck_inspections_lat_lon_together')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_inspections_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_inspections_created_by_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_inspections_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspections'))
    )
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspections_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspections_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('refresh_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('family', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_refresh_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_refresh_tokens_token_hash'))
    )
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refresh_tokens_family'), ['family'], unique=False)
        batch_op.create_index(batch_op.f('ix_refresh_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('workday_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_workday_overrides_updated_by_users')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_workday_overrides'))
    )
    op.create_table('hazards',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('inspection_id', sa.Uuid(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('category_code', sa.String(length=64), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('location_source', sa.String(length=16), nullable=True),
    sa.Column('area_code', sa.String(length=32), nullable=True),
    sa.Column('area_path', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reported_by', sa.Integer(), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('client_reported_at', sa.DateTime(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('original_deadline', sa.Date(), nullable=False),
    sa.Column('deadline_requested', sa.Date(), nullable=True),
    sa.Column('rejection_count', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.Column('overdue_recorded', sa.Boolean(), nullable=False),
    sa.Column('due_soon_recorded', sa.Boolean(), nullable=False),
    sa.Column('request_digest', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name=op.f('ck_hazards_closed_at_iff_closed')),
    sa.CheckConstraint("(status = 'void') = (voided_at IS NOT NULL)", name=op.f('ck_hazards_voided_at_iff_void')),
    sa.CheckConstraint("location_source IS NULL OR location_source IN ('exif', 'device', 'manual', 'enterprise')", name=op.f('ck_hazards_location_source')),
    sa.CheckConstraint("severity IN ('general', 'major')", name=op.f('ck_hazards_severity')),
    sa.CheckConstraint("status IN ('open', 'acknowledged', 'submitted', 'closed', 'void')", name=op.f('ck_hazards_status')),
    sa.CheckConstraint('(lat IS NULL) = (location_source IS NULL)', name=op.f('ck_hazards_location_has_source')),
    sa.CheckConstraint('(lat IS NULL) = (lon IS NULL)', name=op.f('ck_hazards_lat_lon_together')),
    sa.CheckConstraint('rejection_count >= 0', name=op.f('ck_hazards_rejection_count')),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], name=op.f('fk_hazards_area_code_areas')),
    sa.ForeignKeyConstraint(['category_code'], ['categories.code'], name=op.f('fk_hazards_category_code_categories')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_hazards_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_hazards_inspection_id_inspections')),
    sa.ForeignKeyConstraint(['reported_by'], ['users.id'], name=op.f('fk_hazards_reported_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazards'))
    )
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazards_area_code'), ['area_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazards_area_path'), ['area_path'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazards_category_code'), ['category_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazards_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazards_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazards_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazards_reported_at'), ['reported_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazards_status'), ['status'], unique=False)

    op.create_table('inspection_inspectors',
    sa.Column('inspection_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_inspectors_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_inspection_inspectors_user_id_users')),
    sa.PrimaryKeyConstraint('inspection_id', 'user_id', name=op.f('pk_inspection_inspectors'))
    )
    op.create_table('extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Uuid(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('previous_deadline', sa.Date(), nullable=False),
    sa.Column('new_deadline', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=True),
    sa.CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name=op.f('ck_extensions_decided_iff_not_pending')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'refused')", name=op.f('ck_extensions_status')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_extensions_decided_by_users')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_extensions_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_extensions_requested_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extensions'))
    )
    with op.batch_alter_table('extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extensions_hazard_id'), ['hazard_id'], unique=False)

    op.create_table('hazard_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=32), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('client_at', sa.DateTime(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('evidence_ids', sa.JSON(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_hazard_events_actor_id_users')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_hazard_events_hazard_id_hazards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazard_events')),
    sa.UniqueConstraint('hazard_id', 'seq', name='uq_hazard_events_hazard_id_seq')
    )
    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_events_hazard_id'), ['hazard_id'], unique=False)

    op.create_table('photos',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('hazard_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('alt', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('location_source', sa.String(length=16), nullable=True),
    sa.Column('make', sa.String(length=100), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=True),
    sa.Column('orientation', sa.Integer(), nullable=True),
    sa.Column('phash', sa.String(length=16), nullable=True),
    sa.Column('original_key', sa.String(length=200), nullable=False),
    sa.Column('display_key', sa.String(length=200), nullable=False),
    sa.Column('thumbnail_key', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('request_digest', sa.String(length=64), nullable=False),
    sa.CheckConstraint("kind IN ('evidence', 'rectification')", name=op.f('ck_photos_kind')),
    sa.CheckConstraint("location_source IS NULL OR location_source IN ('exif', 'device')", name=op.f('ck_photos_location_source')),
    sa.CheckConstraint('(lat IS NULL) = (location_source IS NULL)', name=op.f('ck_photos_location_has_source')),
    sa.CheckConstraint('(lat IS NULL) = (lon IS NULL)', name=op.f('ck_photos_lat_lon_together')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_photos_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_photos_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photos'))
    )
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photos_hazard_id'), ['hazard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_phash'), ['phash'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_sha256'), ['sha256'], unique=False)

    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Uuid(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('photo_ids', sa.JSON(), nullable=False),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('submitted_by', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_rectifications_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_rectifications_submitted_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications'))
    )
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectifications_hazard_id'), ['hazard_id'], unique=False)

    op.create_table('remediation_plans',
    sa.Column('hazard_id', sa.Uuid(), nullable=False),
    sa.Column('objectives', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('funds', sa.Text(), nullable=False),
    sa.Column('responsible', sa.Text(), nullable=False),
    sa.Column('timeline', sa.Text(), nullable=False),
    sa.Column('safety_measures', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_remediation_plans_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_remediation_plans_updated_by_users')),
    sa.PrimaryKeyConstraint('hazard_id', name=op.f('pk_remediation_plans'))
    )

    categories = sa.table(
        "categories", sa.column("code", sa.String), sa.column("name", sa.String),
        sa.column("parent_code", sa.String), sa.column("active", sa.Boolean),
    )
    op.bulk_insert(categories, [{"code": c, "name": n, "parent_code": None, "active": True} for c, n in TOP_LEVEL])
    op.bulk_insert(categories, [
        {"code": f"{parent}.{c}", "name": n, "parent_code": parent, "active": True}
        for parent, children in SECOND_LEVEL.items() for c, n in children
    ])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('remediation_plans')
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectifications_hazard_id'))

    op.drop_table('rectifications')
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photos_sha256'))
        batch_op.drop_index(batch_op.f('ix_photos_phash'))
        batch_op.drop_index(batch_op.f('ix_photos_hazard_id'))

    op.drop_table('photos')
    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazard_events_hazard_id'))

    op.drop_table('hazard_events')
    with op.batch_alter_table('extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extensions_hazard_id'))

    op.drop_table('extensions')
    op.drop_table('inspection_inspectors')
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazards_status'))
        batch_op.drop_index(batch_op.f('ix_hazards_reported_at'))
        batch_op.drop_index(batch_op.f('ix_hazards_inspection_id'))
        batch_op.drop_index(batch_op.f('ix_hazards_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_hazards_deadline'))
        batch_op.drop_index(batch_op.f('ix_hazards_category_code'))
        batch_op.drop_index(batch_op.f('ix_hazards_area_path'))
        batch_op.drop_index(batch_op.f('ix_hazards_area_code'))

    op.drop_table('hazards')
    op.drop_table('workday_overrides')
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refresh_tokens_user_id'))
        batch_op.drop_index(batch_op.f('ix_refresh_tokens_family'))

    op.drop_table('refresh_tokens')
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspections_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_inspections_campaign_id'))

    op.drop_table('inspections')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_users_area_code'))

    op.drop_table('users')
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprises_name'))
        batch_op.drop_index(batch_op.f('ix_enterprises_area_code'))

    op.drop_table('enterprises')
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_categories_parent_code'))

    op.drop_table('categories')
    op.drop_table('campaigns')
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_areas_path'))
        batch_op.drop_index(batch_op.f('ix_areas_parent_code'))

    op.drop_table('areas')
