-- The store tables exactly as `python -m store migrate` created them on postgresql before the
-- Alembic migrations (Base.metadata.create_all, schema_version 2), frozen as test data.
-- Generated from the models at commit 67805e3; never edit it to follow the models.

CREATE TABLE agents (
	id SERIAL NOT NULL,
	name VARCHAR(60) NOT NULL,
	password_hash VARCHAR(255) NOT NULL,
	active BOOLEAN NOT NULL,
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (name)
);

CREATE TABLE categories (
	id SERIAL NOT NULL,
	name VARCHAR(120) NOT NULL,
	slug VARCHAR(120) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (name),
	UNIQUE (slug)
);

CREATE TABLE countries (
	code VARCHAR(2) NOT NULL,
	name VARCHAR(120) NOT NULL,
	aliases JSON NOT NULL,
	regions JSON NOT NULL,
	PRIMARY KEY (code)
);

CREATE TABLE customers (
	id SERIAL NOT NULL,
	first_name VARCHAR(120) NOT NULL,
	last_name VARCHAR(120) NOT NULL,
	email VARCHAR(255),
	phone VARCHAR(40),
	phone_key VARCHAR(20),
	accepts_email_marketing BOOLEAN NOT NULL,
	accepts_sms_marketing BOOLEAN NOT NULL,
	accepts_whatsapp_marketing BOOLEAN NOT NULL,
	created_at TIMESTAMP WITHOUT TIME ZONE,
	tags JSON NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (email)
);

CREATE INDEX ix_customers_phone_key ON customers (phone_key);

CREATE TABLE discount_codes (
	id SERIAL NOT NULL,
	code VARCHAR(60) NOT NULL,
	kind VARCHAR(20) NOT NULL,
	value BIGINT NOT NULL,
	min_spend BIGINT,
	starts_at TIMESTAMP WITHOUT TIME ZONE,
	ends_at TIMESTAMP WITHOUT TIME ZONE,
	usage_limit INTEGER,
	times_used INTEGER NOT NULL,
	categories JSON NOT NULL,
	excluded_categories JSON NOT NULL,
	excludes_final_sale BOOLEAN NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (code)
);

CREATE TABLE handoffs (
	id SERIAL NOT NULL,
	conversation_id VARCHAR(255) NOT NULL,
	channel VARCHAR(60) NOT NULL,
	status VARCHAR(20) NOT NULL,
	offline BOOLEAN NOT NULL,
	reason VARCHAR(80) NOT NULL,
	summary TEXT NOT NULL,
	context JSON NOT NULL,
	claimed_by VARCHAR(120),
	resolved_by VARCHAR(120),
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	claimed_at TIMESTAMP WITHOUT TIME ZONE,
	resolved_at TIMESTAMP WITHOUT TIME ZONE,
	PRIMARY KEY (id)
);

CREATE INDEX ix_handoffs_conversation_id ON handoffs (conversation_id);

CREATE INDEX ix_handoffs_status ON handoffs (status);

CREATE TABLE holidays (
	id SERIAL NOT NULL,
	name VARCHAR(120) NOT NULL,
	rule VARCHAR(60) NOT NULL,
	PRIMARY KEY (id)
);

CREATE TABLE return_policy (
	id SERIAL NOT NULL,
	window_days INTEGER NOT NULL,
	final_sale_categories JSON NOT NULL,
	final_sale_tags JSON NOT NULL,
	exchanges_allowed BOOLEAN NOT NULL,
	exchange_rules JSON NOT NULL,
	refund_method VARCHAR(40) NOT NULL,
	refund_days INTEGER,
	return_shipping_cost BIGINT NOT NULL,
	free_return_for_exchanges BOOLEAN NOT NULL,
	reasons JSON NOT NULL,
	url VARCHAR(500),
	PRIMARY KEY (id)
);

CREATE TABLE schema_version (
	version INTEGER NOT NULL,
	applied_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	PRIMARY KEY (version)
);

CREATE TABLE shipping_zones (
	id SERIAL NOT NULL,
	name VARCHAR(120) NOT NULL,
	position INTEGER NOT NULL,
	countries JSON NOT NULL,
	regions JSON NOT NULL,
	postal_prefixes JSON NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (name)
);

CREATE TABLE size_charts (
	id SERIAL NOT NULL,
	slug VARCHAR(120) NOT NULL,
	name VARCHAR(200) NOT NULL,
	categories JSON NOT NULL,
	vendors JSON NOT NULL,
	products JSON NOT NULL,
	fit VARCHAR(20) NOT NULL,
	fit_note VARCHAR(300),
	url VARCHAR(500),
	PRIMARY KEY (id),
	UNIQUE (slug)
);

CREATE TABLE store_settings (
	key VARCHAR(80) NOT NULL,
	value JSON,
	PRIMARY KEY (key)
);

CREATE TABLE handoff_messages (
	id SERIAL NOT NULL,
	handoff_id INTEGER NOT NULL,
	sender VARCHAR(120) NOT NULL,
	text TEXT NOT NULL,
	at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(handoff_id) REFERENCES handoffs (id) ON DELETE CASCADE
);

CREATE INDEX ix_handoff_messages_handoff_id ON handoff_messages (handoff_id);

CREATE TABLE orders (
	id SERIAL NOT NULL,
	number INTEGER NOT NULL,
	name VARCHAR(40) NOT NULL,
	customer_id INTEGER,
	email VARCHAR(255),
	phone VARCHAR(40),
	phone_key VARCHAR(20),
	placed_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	financial_status VARCHAR(30) NOT NULL,
	fulfillment_status VARCHAR(30) NOT NULL,
	currency VARCHAR(3) NOT NULL,
	subtotal BIGINT NOT NULL,
	shipping BIGINT NOT NULL,
	taxes BIGINT NOT NULL,
	total BIGINT NOT NULL,
	discount_code VARCHAR(60),
	discount_amount BIGINT NOT NULL,
	shipping_method VARCHAR(120),
	shipping_address JSON NOT NULL,
	shipping_country VARCHAR(2),
	cancelled_at TIMESTAMP WITHOUT TIME ZONE,
	cancel_reason VARCHAR(60),
	refunded_amount BIGINT NOT NULL,
	tags JSON NOT NULL,
	note TEXT,
	lock_version INTEGER NOT NULL,
	updated_at TIMESTAMP WITHOUT TIME ZONE,
	PRIMARY KEY (id),
	UNIQUE (number),
	FOREIGN KEY(customer_id) REFERENCES customers (id)
);

CREATE INDEX ix_orders_customer_id ON orders (customer_id);

CREATE INDEX ix_orders_email ON orders (email);

CREATE INDEX ix_orders_phone_key ON orders (phone_key);

CREATE INDEX ix_orders_placed_at ON orders (placed_at);

CREATE TABLE products (
	id SERIAL NOT NULL,
	handle VARCHAR(200) NOT NULL,
	title VARCHAR(255) NOT NULL,
	description TEXT NOT NULL,
	vendor VARCHAR(120) NOT NULL,
	category_id INTEGER,
	tags JSON NOT NULL,
	status VARCHAR(20) NOT NULL,
	fit VARCHAR(20),
	final_sale BOOLEAN NOT NULL,
	image_url VARCHAR(500),
	PRIMARY KEY (id),
	UNIQUE (handle),
	FOREIGN KEY(category_id) REFERENCES categories (id)
);

CREATE INDEX ix_products_category_id ON products (category_id);

CREATE INDEX ix_products_title ON products (title);

CREATE TABLE shipping_methods (
	id SERIAL NOT NULL,
	zone_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	code VARCHAR(40) NOT NULL,
	name VARCHAR(120) NOT NULL,
	carrier VARCHAR(80),
	price BIGINT NOT NULL,
	free_over BIGINT,
	transit_min_days INTEGER NOT NULL,
	transit_max_days INTEGER NOT NULL,
	cutoff VARCHAR(5) NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(zone_id) REFERENCES shipping_zones (id) ON DELETE CASCADE
);

CREATE TABLE size_chart_rows (
	id SERIAL NOT NULL,
	chart_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	size VARCHAR(40) NOT NULL,
	aliases JSON NOT NULL,
	measurements JSON NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(chart_id) REFERENCES size_charts (id) ON DELETE CASCADE
);

CREATE INDEX ix_size_chart_rows_chart_id ON size_chart_rows (chart_id);

CREATE TABLE fulfillments (
	id SERIAL NOT NULL,
	order_id INTEGER NOT NULL,
	carrier VARCHAR(80),
	tracking_number VARCHAR(120),
	tracking_url VARCHAR(500),
	shipment_status VARCHAR(30) NOT NULL,
	shipped_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	estimated_delivery DATE,
	delivered_at TIMESTAMP WITHOUT TIME ZONE,
	PRIMARY KEY (id),
	FOREIGN KEY(order_id) REFERENCES orders (id) ON DELETE CASCADE
);

CREATE INDEX ix_fulfillments_order_id ON fulfillments (order_id);

CREATE TABLE returns (
	id SERIAL NOT NULL,
	rma VARCHAR(40) NOT NULL,
	order_id INTEGER NOT NULL,
	status VARCHAR(20) NOT NULL,
	reason VARCHAR(60) NOT NULL,
	resolution VARCHAR(20) NOT NULL,
	exchange_sku VARCHAR(100),
	request_key VARCHAR(200) NOT NULL,
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	updated_at TIMESTAMP WITHOUT TIME ZONE,
	PRIMARY KEY (id),
	CONSTRAINT uq_returns_request UNIQUE (order_id, request_key),
	UNIQUE (rma),
	FOREIGN KEY(order_id) REFERENCES orders (id) ON DELETE CASCADE
);

CREATE INDEX ix_returns_order_id ON returns (order_id);

CREATE TABLE variants (
	id SERIAL NOT NULL,
	product_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	sku VARCHAR(100) NOT NULL,
	size VARCHAR(40),
	color VARCHAR(60),
	options JSON NOT NULL,
	price BIGINT NOT NULL,
	compare_at_price BIGINT,
	inventory_quantity INTEGER NOT NULL,
	barcode VARCHAR(60),
	grams INTEGER,
	PRIMARY KEY (id),
	FOREIGN KEY(product_id) REFERENCES products (id) ON DELETE CASCADE,
	UNIQUE (sku)
);

CREATE INDEX ix_variants_color ON variants (color);

CREATE INDEX ix_variants_product_id ON variants (product_id);

CREATE INDEX ix_variants_size ON variants (size);

CREATE TABLE line_items (
	id SERIAL NOT NULL,
	order_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	sku VARCHAR(100),
	variant_id INTEGER,
	title VARCHAR(300) NOT NULL,
	size VARCHAR(40),
	color VARCHAR(60),
	quantity INTEGER NOT NULL,
	price BIGINT NOT NULL,
	fulfillment_status VARCHAR(30),
	PRIMARY KEY (id),
	FOREIGN KEY(order_id) REFERENCES orders (id) ON DELETE CASCADE,
	FOREIGN KEY(variant_id) REFERENCES variants (id) ON DELETE SET NULL
);

CREATE INDEX ix_line_items_order_id ON line_items (order_id);

CREATE INDEX ix_line_items_sku ON line_items (sku);

CREATE TABLE fulfillment_lines (
	id SERIAL NOT NULL,
	fulfillment_id INTEGER NOT NULL,
	line_item_id INTEGER NOT NULL,
	quantity INTEGER NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(fulfillment_id) REFERENCES fulfillments (id) ON DELETE CASCADE,
	FOREIGN KEY(line_item_id) REFERENCES line_items (id) ON DELETE CASCADE
);

CREATE INDEX ix_fulfillment_lines_fulfillment_id ON fulfillment_lines (fulfillment_id);

CREATE INDEX ix_fulfillment_lines_line_item_id ON fulfillment_lines (line_item_id);

CREATE TABLE return_items (
	id SERIAL NOT NULL,
	return_id INTEGER NOT NULL,
	line_item_id INTEGER NOT NULL,
	quantity INTEGER NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(return_id) REFERENCES returns (id) ON DELETE CASCADE,
	FOREIGN KEY(line_item_id) REFERENCES line_items (id) ON DELETE CASCADE
);

CREATE INDEX ix_return_items_line_item_id ON return_items (line_item_id);

CREATE INDEX ix_return_items_return_id ON return_items (return_id);
