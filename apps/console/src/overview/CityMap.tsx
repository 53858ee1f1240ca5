import { type GeoJSONSource, Map as MapLibreMap, NavigationControl, Popup, setWorkerUrl, type StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
// MapLibre's tile worker, bundled by Vite as a module worker of this origin (the CSP allows only 'self').
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url';

setWorkerUrl(workerUrl);
import { useEffect, useRef, useState } from 'react';
import type { AreaGeometry, ConsoleConfig, FeatureCollection, MapDeviceProps, MapUnitProps, PointGeometry } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatDateTime, formatNumber } from '../shared/format.ts';
import { bboxOf, type ColourBy, deviceColour, deviceRadius } from './map-colours.ts';

export interface CityMapProps {
  units: FeatureCollection<AreaGeometry, MapUnitProps>;
  devices: FeatureCollection<PointGeometry, MapDeviceProps>;
  selectedUnit: string | undefined;
  colourBy: ColourBy;
  config: ConsoleConfig;
  onSelectUnit: (code: string) => void;
}

/** The style with no tile server: a plain background; a raster base map only when configured. */
function baseStyle(config: ConsoleConfig): StyleSpecification {
  return {
    version: 8,
    sources: config.tileUrl ? { base: { type: 'raster', tiles: [config.tileUrl], tileSize: 256, attribution: config.tileAttribution ?? '' } } : {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#dce6ee' } }, ...(config.tileUrl ? [{ id: 'base', type: 'raster' as const, source: 'base' }] : [])],
  };
}

/** Devices with their colour and radius baked in, so the map's style reads them directly. */
const styled = (devices: CityMapProps['devices'], by: ColourBy) => ({
  ...devices,
  features: devices.features.map((f) => ({ ...f, properties: { id: f.properties.id, colour: deviceColour(f.properties, by), radius: deviceRadius(f.properties), state: f.properties.state } })),
});

/** Builds a popup's content from text nodes only: device names come from users. */
function popupContent(p: MapDeviceProps, lang: 'vi' | 'en', stateLabel: string): HTMLElement {
  const root = document.createElement('div');
  root.className = 'map-popup';
  const h = document.createElement('strong');
  h.textContent = p.name;
  root.append(h);
  const meta = document.createElement('div');
  meta.textContent = `${p.id} · ${stateLabel}`;
  root.append(meta);
  const list = document.createElement('dl');
  for (const [attr, v] of Object.entries(p.values)) {
    const dt = document.createElement('dt');
    dt.textContent = attr;
    const dd = document.createElement('dd');
    dd.textContent = `${formatNumber(v.value, lang, 2)} ${v.unit} · ${formatDateTime(v.ts, lang)}`;
    list.append(dt, dd);
  }
  root.append(list);
  const more = document.createElement('a');
  more.href = `#/devices/${encodeURIComponent(p.id)}`;
  more.textContent = lang === 'vi' ? 'Chi tiết thiết bị →' : 'Device details →';
  root.append(more);
  return root;
}

/** The city map: unit boundaries and devices coloured by state or value (MapLibre GL, WebGL). */
export function CityMap({ units, devices, selectedUnit, colourBy, config, onSelectUnit }: CityMapProps) {
  const { t, lang } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const [ready, setReady] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const latest = useRef({ devices, onSelectUnit, lang, t });
  latest.current = { devices, onSelectUnit, lang, t };

  useEffect(() => {
    if (!container.current) return;
    let map: MapLibreMap;
    try {
      map = new MapLibreMap({ container: container.current, style: baseStyle(config), center: [108.2, 16.05], zoom: 10, attributionControl: config.tileUrl ? {} : false, dragRotate: false, pitchWithRotate: false });
    } catch (e) {
      setFailure((e as Error).message);
      return;
    }
    mapRef.current = map;
    map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    map.on('load', () => {
      map.addSource('units', { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, promoteId: 'code' });
      map.addSource('devices', { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, promoteId: 'id' });
      map.addLayer({ id: 'units-fill', type: 'fill', source: 'units', paint: { 'fill-color': ['case', ['boolean', ['feature-state', 'selected'], false], '#fff7d6', '#f4f6f8'], 'fill-opacity': 0.85 } });
      map.addLayer({ id: 'units-line', type: 'line', source: 'units', paint: { 'line-color': ['case', ['boolean', ['feature-state', 'selected'], false], '#b8860b', '#6b7b8c'], 'line-width': ['case', ['boolean', ['feature-state', 'selected'], false], 3, 1.2] } });
      map.addLayer({
        id: 'devices',
        type: 'circle',
        source: 'devices',
        paint: {
          'circle-color': ['get', 'colour'],
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 9, ['*', ['get', 'radius'], 0.6], 12, ['get', 'radius'], 16, ['*', ['get', 'radius'], 2]],
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 1,
        },
      });
      // Alerts drawn last, on top.
      map.addLayer({ id: 'devices-alert', type: 'circle', source: 'devices', filter: ['==', ['get', 'state'], 'alert'], paint: { 'circle-color': 'rgba(0,0,0,0)', 'circle-radius': ['*', ['get', 'radius'], 1.8], 'circle-stroke-color': '#d7263d', 'circle-stroke-width': 2 } });
      map.on('click', 'devices', (e) => {
        const id = e.features?.[0]?.properties?.id as string | undefined;
        const d = latest.current.devices.features.find((f) => f.properties.id === id);
        if (!d) return;
        const { lang: l, t: tr } = latest.current;
        new Popup({ closeButton: true, maxWidth: '320px' }).setLngLat(d.geometry.coordinates).setDOMContent(popupContent(d.properties, l, tr(`state.${d.properties.state}`))).addTo(map);
      });
      map.on('click', 'units-fill', (e) => {
        if (map.queryRenderedFeatures(e.point, { layers: ['devices'] }).length) return;
        const code = e.features?.[0]?.properties?.code as string | undefined;
        if (code) latest.current.onSelectUnit(code);
      });
      for (const layer of ['devices', 'units-fill']) {
        map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
        map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
      }
      setReady(true);
    });
    map.on('error', (e) => console.warn('map:', e.error?.message));
    return () => {
      map.remove();
      mapRef.current = null;
      setReady(false);
    };
  }, [config]);

  // Boundaries, and the view: the selected unit, else everything in scope.
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    (map.getSource('units') as GeoJSONSource).setData(units as never);
    map.removeFeatureState({ source: 'units' });
    if (selectedUnit) map.setFeatureState({ source: 'units', id: selectedUnit }, { selected: true });
    const focus = selectedUnit ? units.features.filter((f) => f.properties.code === selectedUnit).map((f) => f.geometry) : units.features.map((f) => f.geometry);
    const box = bboxOf(focus.length ? focus : devices.features.map((f) => f.geometry));
    if (box) map.fitBounds(box, { padding: 32, duration: 600, maxZoom: 15 });
    // The view follows the units and the selection, not every refresh of the devices.
  }, [ready, units, selectedUnit]);

  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    (map.getSource('devices') as GeoJSONSource).setData(styled(devices, colourBy) as never);
  }, [ready, devices, colourBy]);

  if (failure) return <div className="map-failure" role="alert">{t('app.error', { message: failure })}</div>;
  // What the map shows, also as attributes: assistive tools and tests cannot read a WebGL canvas.
  const alerting = devices.features.filter((f) => f.properties.state === 'alert').map((f) => f.properties.id);
  return <div ref={container} className="city-map" role="region" aria-label={t('overview.map')} data-ready={ready ? 'true' : 'false'} data-devices={devices.features.length} data-alert-devices={alerting.slice(0, 200).join(' ')} />;
}
