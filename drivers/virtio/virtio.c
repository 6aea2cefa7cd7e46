/*
 * The virtio bus: transports register the devices they find, drivers
 * register for device types, and a device is bound to the first driver
 * whose id table names its type, whichever of the two came first. Binding
 * follows the device initialization of the spec (3.1.1): reset,
 * ACKNOWLEDGE, DRIVER, feature negotiation and FEATURES_OK, then the
 * driver's probe, which ends with DRIVER_OK. Unbinding (rmmod of the
 * driver's module) calls its remove() and then makes sure the device is
 * reset and has no queues left, so a forgetful driver cannot leave a
 * device writing into freed memory or interrupting into unloaded code.
 */
#define pr_fmt(fmt) "virtio: " fmt

#include "drivers/virtio/virtio.h"
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "kernel/module.h"
#include "lib/printf.h"
#include "lib/string.h"

/* Guards both lists and every binding; probe and remove run under it. */
static DEFINE_MUTEX(virtio_bus_lock);
static LIST_HEAD(virtio_devices);
static LIST_HEAD(virtio_drivers);

static const char *const type_names[] = {
	[VIRTIO_ID_NET] = "network", [VIRTIO_ID_BLOCK] = "block",
	[VIRTIO_ID_CONSOLE] = "console", [VIRTIO_ID_RNG] = "entropy",
	[VIRTIO_ID_BALLOON] = "balloon", [VIRTIO_ID_SCSI] = "SCSI host",
	[VIRTIO_ID_9P] = "9P transport", [VIRTIO_ID_GPU] = "GPU",
	[VIRTIO_ID_INPUT] = "input", [VIRTIO_ID_VSOCK] = "socket",
	[VIRTIO_ID_CRYPTO] = "crypto",
};

static const char *type_name(uint32_t type)
{
	if (type < ARRAY_SIZE(type_names) && type_names[type])
		return type_names[type];
	return "unknown";
}

/* --- status and configuration ----------------------------------------------------- */
uint8_t virtio_get_status(struct virtio_device *vdev)
{
	return vdev->config->get_status(vdev);
}
EXPORT_SYMBOL(virtio_get_status);

static void add_status(struct virtio_device *vdev, uint8_t status)
{
	vdev->config->set_status(vdev, vdev->config->get_status(vdev) | status);
}

void virtio_device_ready(struct virtio_device *vdev)
{
	if (virtio_get_status(vdev) & VIRTIO_CONFIG_S_DRIVER_OK)
		return;
	add_status(vdev, VIRTIO_CONFIG_S_DRIVER_OK);
}
EXPORT_SYMBOL(virtio_device_ready);

void virtio_reset_device(struct virtio_device *vdev)
{
	vdev->config->reset(vdev);
}
EXPORT_SYMBOL(virtio_reset_device);

uint8_t virtio_cread8(struct virtio_device *vdev, unsigned int offset)
{
	uint8_t v;

	vdev->config->get(vdev, offset, &v, sizeof(v));
	return v;
}
EXPORT_SYMBOL(virtio_cread8);

uint16_t virtio_cread16(struct virtio_device *vdev, unsigned int offset)
{
	uint16_t v;

	vdev->config->get(vdev, offset, &v, sizeof(v));
	return v;
}
EXPORT_SYMBOL(virtio_cread16);

uint32_t virtio_cread32(struct virtio_device *vdev, unsigned int offset)
{
	uint32_t v;

	vdev->config->get(vdev, offset, &v, sizeof(v));
	return v;
}
EXPORT_SYMBOL(virtio_cread32);

/* Retry a config read the device changed under us, but not for ever. */
static bool config_retry(struct virtio_device *vdev, int *tries)
{
	if (++*tries < 100)
		return true;
	pr_err("%s: configuration keeps changing while it is read; using the last read\n",
	       vdev->name);
	return false;
}

/* A byte string (a field of any alignment), one byte access at a time. */
void virtio_cread_bytes(struct virtio_device *vdev, unsigned int offset, void *buf,
			unsigned int len)
{
	uint32_t gen;
	int tries = 0;

	do {
		gen = vdev->config->generation(vdev);
		for (unsigned int i = 0; i < len; i++)
			vdev->config->get(vdev, offset + i, (uint8_t *)buf + i, 1);
	} while (gen != vdev->config->generation(vdev) && config_retry(vdev, &tries));
}
EXPORT_SYMBOL(virtio_cread_bytes);

/* Two 32-bit reads (4.1.3.1), repeated if the device changed the configuration between them. */
uint64_t virtio_cread64(struct virtio_device *vdev, unsigned int offset)
{
	uint64_t v;
	uint32_t gen;
	int tries = 0;

	do {
		gen = vdev->config->generation(vdev);
		vdev->config->get(vdev, offset, &v, sizeof(v));
	} while (gen != vdev->config->generation(vdev) && config_retry(vdev, &tries));
	return v;
}
EXPORT_SYMBOL(virtio_cread64);

void virtio_cwrite8(struct virtio_device *vdev, unsigned int offset, uint8_t val)
{
	vdev->config->set(vdev, offset, &val, sizeof(val));
}
EXPORT_SYMBOL(virtio_cwrite8);

void virtio_cwrite16(struct virtio_device *vdev, unsigned int offset, uint16_t val)
{
	vdev->config->set(vdev, offset, &val, sizeof(val));
}
EXPORT_SYMBOL(virtio_cwrite16);

void virtio_cwrite32(struct virtio_device *vdev, unsigned int offset, uint32_t val)
{
	vdev->config->set(vdev, offset, &val, sizeof(val));
}
EXPORT_SYMBOL(virtio_cwrite32);

void virtio_cwrite64(struct virtio_device *vdev, unsigned int offset, uint64_t val)
{
	vdev->config->set(vdev, offset, &val, sizeof(val));
}
EXPORT_SYMBOL(virtio_cwrite64);

int virtio_find_vqs(struct virtio_device *vdev, unsigned int nvqs, struct virtqueue *vqs[],
		    vq_callback_t *callbacks[], const char *const names[])
{
	return vdev->config->find_vqs(vdev, nvqs, vqs, callbacks, names);
}
EXPORT_SYMBOL(virtio_find_vqs);

struct virtqueue *virtio_find_single_vq(struct virtio_device *vdev, vq_callback_t *callback,
					const char *name)
{
	vq_callback_t *callbacks[] = { callback };
	const char *names[] = { name };
	struct virtqueue *vq;
	int err = virtio_find_vqs(vdev, 1, &vq, callbacks, names);

	return err ? ERR_PTR(err) : vq;
}
EXPORT_SYMBOL(virtio_find_single_vq);

void virtio_del_vqs(struct virtio_device *vdev)
{
	vdev->config->del_vqs(vdev);
}
EXPORT_SYMBOL(virtio_del_vqs);

void virtio_config_changed(struct virtio_device *vdev)
{
	struct virtio_driver *drv;
	unsigned long flags;

	spin_lock_irqsave(&vdev->config_lock, flags);
	drv = vdev->driver;
	if (!vdev->config_enabled || !drv)
		vdev->config_change_pending = true;
	else if (drv->config_changed)
		drv->config_changed(vdev);
	spin_unlock_irqrestore(&vdev->config_lock, flags);
}

/* Let config_changed through (telling the driver of a change it missed), or stop it. */
static void config_enable(struct virtio_device *vdev, bool on)
{
	struct virtio_driver *drv = vdev->driver;
	unsigned long flags;

	spin_lock_irqsave(&vdev->config_lock, flags);
	vdev->config_enabled = on;
	if (on && vdev->config_change_pending && drv->config_changed)
		drv->config_changed(vdev);
	vdev->config_change_pending = false;
	spin_unlock_irqrestore(&vdev->config_lock, flags);
}
EXPORT_SYMBOL(virtio_config_changed);

/* --- binding ------------------------------------------------------------------------ */
static const struct virtio_device_id *match(const struct virtio_driver *drv,
					    const struct virtio_device *vdev)
{
	for (const struct virtio_device_id *id = drv->id_table; id && id->device; id++) {
		if (id->device != vdev->id.device && id->device != VIRTIO_DEV_ANY_ID)
			continue;
		if (id->vendor == VIRTIO_DEV_ANY_ID || id->vendor == vdev->id.vendor)
			return id;
	}
	return NULL;
}

/* The driver's feature bits the device offers, plus VERSION_1 and ACCESS_PLATFORM; FEATURES_OK. */
static int negotiate(struct virtio_device *vdev, const struct virtio_driver *drv)
{
	uint64_t offered = vdev->config->get_features(vdev), wanted = 0;
	int err;

	for (unsigned int i = 0; i < drv->feature_table_size; i++) {
		unsigned int f = drv->feature_table[i];

		/* the ring implements none of the transport features */
		if (f < 64 && (f < VIRTIO_TRANSPORT_F_START || f > VIRTIO_TRANSPORT_F_END))
			wanted |= 1ULL << f;
	}
	wanted |= 1ULL << VIRTIO_F_VERSION_1;
	/* the ring maps everything through the DMA API, so an IOMMU in the way is fine */
	wanted |= 1ULL << VIRTIO_F_ACCESS_PLATFORM;
	if (!(offered & (1ULL << VIRTIO_F_VERSION_1))) {
		pr_err("%s: a legacy device (no VIRTIO_F_VERSION_1): not supported\n", vdev->name);
		return -ENODEV;
	}
	vdev->features = offered & wanted;
	err = vdev->config->finalize_features(vdev);
	if (err)
		return err;
	add_status(vdev, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(virtio_get_status(vdev) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		pr_err("%s: device refused features %#llx\n", vdev->name,
		       (unsigned long long)vdev->features);
		return -ENODEV;
	}
	return 0;
}

/* Back to "acknowledged, no driver": reset, no queues, nothing pending. */
static void release_device(struct virtio_device *vdev, const char *drv_name)
{
	if (virtio_get_status(vdev) != 0) {
		pr_err("%s: driver %s did not reset the device; resetting it\n", vdev->name,
		       drv_name);
		virtio_reset_device(vdev);
	}
	if (!list_empty(&vdev->vqs)) {
		pr_err("%s: driver %s left its queues; deleting them\n", vdev->name, drv_name);
		vdev->config->del_vqs(vdev);
	}
	vdev->driver = NULL;
	vdev->dev.driver_name = NULL;
	vdev->priv = NULL;
	vdev->features = 0;
	add_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
}

/* Probe @vdev with @drv if it matches; -EPERM if its module may not bind @vdev. */
static int try_bind(struct virtio_driver *drv, struct virtio_device *vdev)
{
	int err;

	if (vdev->driver || !match(drv, vdev))
		return 0;
	if (!module_may_bind_virtio(drv, vdev->name, vdev->id.device, vdev->id.vendor))
		return -EPERM;
	virtio_reset_device(vdev);
	add_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	add_status(vdev, VIRTIO_CONFIG_S_DRIVER);
	err = negotiate(vdev, drv);
	if (!err) {
		vdev->driver = drv;
		vdev->dev.driver_name = drv->name;
		err = drv->probe(vdev);
	}
	if (err) {
		pr_warn("%s: probe by driver %s failed with error %d\n", vdev->name, drv->name,
			err);
		add_status(vdev, VIRTIO_CONFIG_S_FAILED);
		virtio_reset_device(vdev);
		release_device(vdev, drv->name);
		return 0;
	}
	virtio_device_ready(vdev);	/* if probe did not */
	config_enable(vdev, true);
	pr_info("%s: bound to driver %s\n", vdev->name, drv->name);
	return 0;
}

static void unbind(struct virtio_device *vdev)
{
	struct virtio_driver *drv = vdev->driver;

	config_enable(vdev, false);
	if (drv->remove)
		drv->remove(vdev);
	release_device(vdev, drv->name);
}

/* A module's exit returned with its driver registered: unregister it now. */
static void release_virtio_driver(const void *key, uintptr_t arg)
{
	unregister_virtio_driver((struct virtio_driver *)key);
}

int register_virtio_driver(struct virtio_driver *drv)
{
	struct virtio_driver *d;
	struct virtio_device *vdev;
	bool refused = false, bound = false;

	if (!drv->name || !drv->id_table || !drv->probe)
		return -EINVAL;
	mutex_lock(&virtio_bus_lock);
	list_for_each_entry(d, &virtio_drivers, node) {
		if (d == drv || !strcmp(d->name, drv->name)) {
			mutex_unlock(&virtio_bus_lock);
			pr_err("driver %s is already registered\n", drv->name);
			return -EBUSY;
		}
	}
	list_add_tail(&drv->node, &virtio_drivers);
	module_track((uintptr_t)drv, MRES_VIRTIO_DRIVER, drv, 0, release_virtio_driver,
		     "virtio driver %s registered", drv->name);
	list_for_each_entry(vdev, &virtio_devices, node) {
		if (try_bind(drv, vdev))
			refused = true;
		bound |= vdev->driver == drv;
	}
	if (refused && !bound) {	/* as pci_register_driver: nothing it may drive */
		list_del(&drv->node);
		module_untrack(MRES_VIRTIO_DRIVER, drv, 0);
	}
	mutex_unlock(&virtio_bus_lock);
	return refused && !bound ? -EPERM : 0;
}
EXPORT_SYMBOL(register_virtio_driver);

void unregister_virtio_driver(struct virtio_driver *drv)
{
	struct virtio_device *vdev;

	mutex_lock(&virtio_bus_lock);
	list_for_each_entry(vdev, &virtio_devices, node) {
		if (vdev->driver == drv)
			unbind(vdev);
	}
	list_del(&drv->node);
	module_untrack(MRES_VIRTIO_DRIVER, drv, 0);
	mutex_unlock(&virtio_bus_lock);
}
EXPORT_SYMBOL(unregister_virtio_driver);

/* The lowest index no registered device has. */
static int free_index(void)
{
	struct virtio_device *vdev;
	int index = 0;

again:
	list_for_each_entry(vdev, &virtio_devices, node) {
		if (vdev->index == index) {
			index++;
			goto again;
		}
	}
	return index;
}

int register_virtio_device(struct virtio_device *vdev)
{
	struct virtio_driver *drv;

	if (!vdev->config || !vdev->id.device || !vdev->parent)
		return -EINVAL;
	mutex_lock(&virtio_bus_lock);
	vdev->index = free_index();
	snprintf(vdev->name, sizeof(vdev->name), "virtio%d", vdev->index);
	vdev->dev = (struct device){
		.name = vdev->name,
		.dma_mask = vdev->parent->dma_mask,
		.coherent_dma_mask = vdev->parent->coherent_dma_mask,
	};
	list_init(&vdev->vqs);
	spin_lock_init(&vdev->config_lock);
	vdev->driver = NULL;
	vdev->config_enabled = false;
	vdev->config_change_pending = false;
	virtio_reset_device(vdev);	/* whatever the firmware or a last boot left */
	add_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	list_add_tail(&vdev->node, &virtio_devices);
	pr_info("%s: %s device (type %u) at %s\n", vdev->name, type_name(vdev->id.device),
		vdev->id.device, vdev->config->bus_name(vdev));
	list_for_each_entry(drv, &virtio_drivers, node) {
		if (vdev->driver)
			break;
		try_bind(drv, vdev);
	}
	mutex_unlock(&virtio_bus_lock);
	return 0;
}
EXPORT_SYMBOL(register_virtio_device);

void unregister_virtio_device(struct virtio_device *vdev)
{
	mutex_lock(&virtio_bus_lock);
	if (vdev->driver)
		unbind(vdev);
	virtio_reset_device(vdev);
	list_del(&vdev->node);
	mutex_unlock(&virtio_bus_lock);
}
EXPORT_SYMBOL(unregister_virtio_device);
